// The file agent's request loop: one request at a time off its stdin, answered on its
// stdout (protocol/files.h), until the caller closes the channel.
#pragma once
#include "../common/status.h"
#include "file_ops.h"

namespace nsj::agent {

// Returns at the caller's EOF (ok) or when the channel breaks. `first_fd`..`end_fd`: the
// extra fds the agent was handed (upper layers among them).
Status serve(const Root& root, int first_fd, int end_fd);

}  // namespace nsj::agent

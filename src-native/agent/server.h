// The file agent's request loop: one request at a time off its stdin, answered on its
// stdout (protocol/files.h), until the caller closes the channel.
#pragma once
#include <string>
#include <vector>

#include "../common/status.h"
#include "file_ops.h"

namespace nsj::agent {

// Returns at the caller's EOF (ok) or when the channel breaks. `first_fd`..`end_fd`: the
// extra fds the agent was handed (upper layers among them).
Status serve(const Root& root, int first_fd, int end_fd);
// A run's outputs, unasked (the reaper, once the main process has ended): the replies of
// a walk of each path, in order, on the agent's stdout.
Status send_outputs(const Root& root, const std::vector<std::string>& paths);

}  // namespace nsj::agent

// The last steps of the process that becomes the main process: its user, groups,
// capabilities and no_new_privs; then, once started, its fds, rlimits, seccomp (last of
// all) and execve.
#pragma once
#include <string>

#include "../common/status.h"
#include "../runtime/context.h"

namespace nsj {

Status finalize_process(Ctx& ctx);
// Returns only if execve (or a step before it) failed.
Status exec_main(Ctx& ctx, const std::string& program);

}  // namespace nsj

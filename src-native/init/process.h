// The last steps of the process that becomes the main process: its user, groups,
// capabilities, no_new_privs and seccomp (last); then, at start, its fds and execve.
#pragma once
#include <string>

#include "../nsexec/context.h"

namespace nsj {

void finalize_process(Ctx& ctx);
void report_ready(Ctx& ctx);
[[noreturn]] void exec_main(Ctx& ctx, const std::string& program);

}  // namespace nsj

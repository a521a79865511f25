// init: true. Stage 2 stays as a tiny PID 1: it forks the main process, reaps every
// orphan, forwards signals to the main process, carries out the addon's commands, and
// when the main process ends reports its status and exits with it (which ends the pid
// namespace and everything still in it).
//
// The reaper never executes anything: its memory still belongs to the program the addon
// started in the host's user namespace, and it is not dumpable, so nothing in the
// container can ptrace it or take its fds (pidfd_getfd), whatever capabilities it was
// given: the exit status the addon hears is the reaper's word alone. (The owner reaches
// the container's namespaces through the fds stage 2 sent it, not through /proc/<pid>.)
#pragma once
#include <string>

#include "../runtime/context.h"

namespace nsj {
[[noreturn]] void run_reaper(Ctx& ctx, const std::string& program);
}  // namespace nsj

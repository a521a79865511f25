// init: true. Stage 2 stays as a tiny PID 1: it forks the main process, reaps every
// orphan, forwards signals to the main process, carries out the addon's commands, and
// when the main process ends reports its status and exits with it (which ends the pid
// namespace and everything still in it).
//
// After the fork, stage 2 re-executes itself from its sealed memfd as a fresh, small
// process: exec'd inside the container's user namespace, it is inspectable by the
// namespace's owner (/proc/<pid>/ns for exec and Container.namespaces) but, non-dumpable
// and holding CAP_KILL, not by anything in the container.
#pragma once
#include <sys/types.h>

#include <string>

#include "../nsexec/context.h"

namespace nsj {
// Opened by stage 2 before the root changes: the memfd the reaper re-executes from.
int open_self_exe(Ctx& ctx);
[[noreturn]] void run_reaper(Ctx& ctx, const std::string& program, int self_exe);
// The re-executed reaper: argv "nsj:[2:INIT] reaper <init fd> <gate fd> <main pid> <log level>".
[[noreturn]] void reaper_main(int argc, char** argv);
}  // namespace nsj

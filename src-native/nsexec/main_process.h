// The last steps of the process that becomes the main process (stage 2 itself with
// init: false, the reaper's child with init: true): its terminal, credentials and
// capabilities, ready, the start barrier, then its fds, rlimits, seccomp and execve.
// Errors from here on say stage 'main'.
#pragma once
#include <string>

#include "../runtime/context.h"

namespace nsj {
// `gate`: the reaper's socket to wait on for the start (init: true), or -1 (the init
// socket). `program` is empty for a pooled container (BF_ARGS_AT_START): the start brings it.
[[noreturn]] void become_main(Ctx& ctx, std::string program, int gate);
}  // namespace nsj

// The three stages of runc's nsexec, each in its own file. None returns.
#pragma once
#include "../runtime/context.h"

namespace nsj {

// nsj:[0:PARENT] writes oom_score_adj, opens a root caller's mount sources, clones stage
// 1, answers its requests (uid/gid maps, stage 2's pid), releases stage 2, exits.
[[noreturn]] void run_stage0(Ctx& ctx);
// nsj:[1:CHILD] joins namespaces by path, creates the user namespace and asks for its
// maps, becomes root, unshares the rest, clones stage 2, hands its pid over, exits.
[[noreturn]] void run_stage1(Ctx& ctx);
// nsj:[2:INIT] PID 1 of the new pid namespace: waits for stage 0, becomes session
// leader and root, sets up the container, then becomes the main process (init: false)
// or forks it and stays as the reaper (nsexec/reaper.h).
[[noreturn]] void run_stage2(Ctx& ctx);

}  // namespace nsj

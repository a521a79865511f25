// Stage 0 puts the container into its cgroups before stage 1 exists, so every process
// of it is inside from its first instruction and counted by every limit.
//
// v1 hierarchies: stage 0 moves itself, "0" into each cgroup's tasks file; stage 1 inherits.
// Stage 0 is single-threaded, so its thread is the whole process, and moving one thread
// (unlike a cgroup.procs write) takes no global lock: no RCU grace period, 0.08 ms instead
// of 4-7 ms measured here.
// v2: stage 1 is cloned straight into the cgroup (clone3 CLONE_INTO_CGROUP), which takes
// no cgroup.procs write and so waits for no RCU grace period. Where the kernel has no
// CLONE_INTO_CGROUP, stage 0 moves itself there too.
//
// Stage 1 unshares the cgroup namespace after this, so the container's cgroups are the
// roots of its view.
#pragma once
#include <sys/types.h>

#include "../common/status.h"
#include "../runtime/context.h"

namespace nsj {

// "0" into every v1 tasks file of the bootstrap.
Status enter_v1_cgroups(const Ctx& ctx);
// Clones stage 1 with CLONE_PARENT, into the v2 cgroup when the bootstrap names one.
// Like fork: *pid is 0 in the child.
Status clone_stage1(const Ctx& ctx, pid_t* pid);

}  // namespace nsj

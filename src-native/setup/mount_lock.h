// With CAP_SYS_ADMIN kept, the program could remount the read-only views read-write or
// unmount a mask or a hidden path: the flags and mounts were set up inside the
// container's own user namespace, which the kernel lets undo them. It locks them (every
// flag, and every mount against being unmounted or moved to reveal what it covers) when
// a mount namespace is copied into a less privileged user namespace. So such a process
// moves into a nested user namespace, its ids mapped one to one onto the container's,
// with a copy of the mount namespace, before it drops to the capabilities it keeps; they
// then act on its own mounts and on namespaces it creates, not on the container's
// network, hostname or IPC (which stay owned by the container's user namespace).
#pragma once
#include "../common/status.h"
#include "../runtime/context.h"

namespace nsj {
// Whether the container needs it (it keeps CAP_SYS_ADMIN).
bool mounts_need_lock(const Ctx& ctx);
// Stage 2 of a container, once its root is built and before the main process exists
// (nothing of the container runs yet): moves into the nested namespaces and sends their
// fds to the addon (MSG_NSFDS, locked), which exec joins after the container's others.
Status lock_mounts(Ctx& ctx);
}  // namespace nsj

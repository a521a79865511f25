// Stage 0 writes stage 1's setgroups, uid_map and gid_map (SYNC_USERMAP_PLS). A caller
// without CAP_SETUID in its own namespace may only map itself; for more (a subuid range
// from /etc/subuid) the setuid helpers newuidmap/newgidmap do the write.
#pragma once
#include <sys/types.h>

#include "../common/status.h"
#include "../runtime/context.h"

namespace nsj {
Status write_id_maps(const Ctx& ctx, pid_t pid);
}  // namespace nsj

// Stage 0 writes stage 1's setgroups, uid_map and gid_map (SYNC_USERMAP_PLS). A caller
// without CAP_SETUID in its own namespace may only map itself; for more (a subuid range
// from /etc/subuid) the setuid helpers newuidmap/newgidmap do the write.
#pragma once
#include <sys/types.h>

#include <string>

#include "context.h"

namespace nsj {

// 0, or an errno with *err naming the file or helper that failed.
int write_id_maps(Ctx& ctx, pid_t pid, std::string* err);

}  // namespace nsj

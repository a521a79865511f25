// Bind and rootfs sources opened by stage 0, with the caller's privileges, for a root
// caller: its container's root is an unprivileged host id (see src-ts/idmap.ts) that
// may not even reach a source (a 0700 directory of root's), and only host root may make
// an idmapped mount. Detached trees (open_tree) are inherited by stages 1 and 2 through
// their clones; stage 2 attaches them inside the new root like the trees it opens itself.
#pragma once
#include <sys/types.h>

#include "../common/status.h"
#include "../runtime/context.h"

namespace nsj {

// Before stage 1 is cloned: a tree for every Bind and RootDir operation (ctx.caller_trees).
Status open_caller_sources(Ctx& ctx);
// Once stage 1's user namespace has its maps: the operations marked MF_IDMAP become
// idmapped through it, so that what the host's uid 0 owns, container root owns, and
// what container root writes lands on the host as the caller's.
Status idmap_caller_sources(Ctx& ctx, pid_t stage1);

}  // namespace nsj

// The container's root: the first mount operation makes the new root (the host's /
// read-only, or a rootfs directory), the rest are applied inside it in order, then
// pivot_root makes it / and the old root is detached.
#pragma once
#include "../nsexec/context.h"

namespace nsj {
void build_rootfs(Ctx& ctx);
}  // namespace nsj

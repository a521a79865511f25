// The container's root: the first mount operation makes the new root (the host's /
// read-only, or a rootfs directory), the rest are applied inside it in order, then
// pivot_root makes it / and the old root is detached.
#pragma once
#include "../common/status.h"
#include "../runtime/context.h"

namespace nsj {
Status build_rootfs(Ctx& ctx);
}  // namespace nsj

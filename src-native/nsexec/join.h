// Stage 1 joins existing namespaces by path, runc's way: open every path first (while
// the paths still mean what the caller meant), join what we can, join the user namespace
// and become root in it, then retry what needed its capabilities; last, the nested user
// and mount namespaces of a container whose mounts are locked (setup/mount_lock.h).
#pragma once
#include "../common/status.h"
#include "../runtime/context.h"

namespace nsj {
// *joined_user: a user namespace was joined (we are uid 0 in it now).
Status join_namespaces(Ctx& ctx, bool* joined_user);
}  // namespace nsj

// What the container must not see or change of the kernel's files, as runc's masked and
// read-only paths: a masked file reads as empty (the verified /dev/null bound over it), a
// masked directory as an empty read-only tmpfs; a read-only path is bound onto itself
// read-only. Applied last, once every procfs and sysfs of the container is mounted (a
// procfs mounted after a mask would be refused: the kernel wants one fully visible).
#pragma once
#include "../common/fd.h"
#include "../nsexec/context.h"

namespace nsj {

// An O_PATH fd of the host's /dev/null, checked to be the character device 1:3 (a
// symlinked or swapped /dev/null was CVE-2025-31133). Opened before the new root hides it.
Fd open_null_source(Ctx& ctx);
void apply_mask(Ctx& ctx, int root_fd, const proto::MountOp& op, int null_fd);
void apply_rebind(Ctx& ctx, int root_fd, const proto::MountOp& op);

}  // namespace nsj

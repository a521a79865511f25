// What the container must not see or change of the kernel's files, as runc's masked and
// read-only paths: a masked file reads as empty (the verified /dev/null bound over it), a
// masked directory as an empty read-only tmpfs; a read-only path is bound onto itself
// read-only. Applied last, once every procfs and sysfs of the container is mounted (a
// procfs mounted after a mask would be refused: the kernel wants one fully visible).
#pragma once
#include "../common/fd.h"
#include "../common/status.h"
#include "../protocol/bootstrap.h"

namespace nsj {

// `null_fd`: the verified host /dev/null (dev.h open_char_device), opened before the new
// root hides it.
Status apply_mask(int root_fd, const proto::MountOp& op, int null_fd);
Status apply_rebind(int root_fd, const proto::MountOp& op);

}  // namespace nsj

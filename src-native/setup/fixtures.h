// Fixtures (MountKind::File): files the caller gave as data, written into the new root
// after every mount, before anything of the container runs. Their contents are one sealed
// memfd (common/fd_layout.h kFilesFd); each operation names its slice (offset, size).
// Missing parent directories are made, and everything made is owned by the container's
// user; a symlink at the path is never followed.
#pragma once
#include "../common/status.h"
#include "../protocol/bootstrap.h"
#include "paths.h"

namespace nsj {

Status write_fixture(int root_fd, const proto::MountOp& op, const Owner& owner);
// `size` bytes of `from` at `offset` appended to `to` (in the kernel where it can).
Status copy_slice(int from, uint64_t offset, uint64_t size, int to, const std::string& what);

}  // namespace nsj

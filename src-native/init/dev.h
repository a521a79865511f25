// A minimal /dev on a private tmpfs: null, zero, full, random, urandom and tty bound
// from the host after checking each is the character device it claims to be (a
// symlinked or swapped /dev/null was CVE-2025-31133), a private devpts instance with
// ptmx, /dev/shm, and the fd symlinks.
#pragma once
#include "../nsexec/context.h"
#include "mounts.h"

namespace nsj {
void open_dev_sources(Ctx& ctx, Sources* out);
void make_dev(Ctx& ctx, int root_fd, const proto::MountOp& op, Sources& src);
}  // namespace nsj

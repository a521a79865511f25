// A minimal /dev on a private tmpfs: null, zero, full, random, urandom and tty bound
// (read-only) from the host after checking each is the character device it claims to be
// (a symlinked or swapped /dev/null was CVE-2025-31133), a private devpts instance with
// ptmx, a sized /dev/shm, and the fd symlinks.
#pragma once
#include "../common/fd.h"
#include "../common/status.h"
#include "../protocol/bootstrap.h"
#include "mounts.h"

namespace nsj {
// An O_PATH fd of the host's /dev/<name>, checked to be the character device major:minor.
Status open_char_device(const char* name, unsigned major, unsigned minor, Fd* out);
Status open_dev_sources(Sources* out);
Status make_dev(int root_fd, const proto::MountOp& op, Sources& src);
}  // namespace nsj

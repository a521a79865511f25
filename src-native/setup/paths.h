// Path resolution inside the new root: never through a symlink or ".." out of it
// (openat2 RESOLVE_IN_ROOT), creating what is missing one component at a time.
#pragma once
#include <sys/types.h>

#include <string>

#include "../common/fd.h"
#include "../common/status.h"

namespace nsj {

// "/proc/self/fd/N": lets mount(2) act on exactly the inode an fd holds.
std::string fd_path(int fd);
// O_PATH fd of path inside root, or an invalid Fd with errno set. no_symlinks: refuse
// any symlink on the way (for the runtime's own targets: /proc, /dev, /sys must be what
// they claim).
Fd open_in_root(int root_fd, const std::string& path, bool directory, bool no_symlinks = false);
// Who owns what ensure_in_root creates (the container's user, for fixtures and files the
// caller writes); without one, whoever creates it.
struct Owner {
  uid_t uid;
  gid_t gid;
};
// O_PATH fd of path inside root, creating it (a directory, or an empty file when
// as_file) and its missing parents.
Status ensure_in_root(int root_fd, const std::string& path, bool as_file, bool no_symlinks, Fd* out,
                      const Owner* owner = nullptr);
// The parent directory of path inside root (created as needed, owned by owner) and the
// last component's name: where a file of the caller's is made, never following a
// symlink out of the root.
Status parent_in_root(int root_fd, const std::string& path, const Owner& owner, Fd* dir, std::string* name);

}  // namespace nsj

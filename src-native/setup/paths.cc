#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/syscalls.h"

namespace nsj {

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

Fd open_in_root(int root_fd, const std::string& path, bool directory, bool no_symlinks) {
  sys::open_how_t how{};
  how.flags = O_PATH | O_CLOEXEC | (directory ? O_DIRECTORY : 0);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | (no_symlinks ? RESOLVE_NO_SYMLINKS : 0);
  int fd;
  do fd = sys::openat2(root_fd, path.c_str(), &how);
  while (fd < 0 && errno == EAGAIN);  // a concurrent rename; try again
  return Fd(fd);
}

namespace {

// Creates one missing component `name` in the verified parent `dir`.
Status create_component(int dir, const std::string& name, bool as_file, const std::string& done, const std::string& path,
                        const Owner* owner) {
  int rc;
  if (as_file) {
    int f = ::openat(dir, name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
    rc = f < 0 ? -1 : 0;
    if (f >= 0) ::close(f);
  } else {
    rc = ::mkdirat(dir, name.c_str(), 0755);
  }
  if (rc == 0 && owner && ::fchownat(dir, name.c_str(), owner->uid, owner->gid, AT_SYMLINK_NOFOLLOW) < 0)
    return fail("chown", errno, done, "creating " + path);
  if (rc == 0 || errno == EEXIST) return ok();
  int e = errno;
  return fail(as_file ? "open" : "mkdir", e, done,
              e == EROFS ? "mount target " + path +
                               " does not exist and its parent is read-only; create it in the rootfs, mount a tmpfs on a "
                               "parent first, or leave the rootfs writable"
                         : "creating mount target " + path);
}

}  // namespace

Status ensure_in_root(int root_fd, const std::string& path, bool as_file, bool no_symlinks, Fd* out, const Owner* owner) {
  Fd fd = open_in_root(root_fd, path, false, no_symlinks);
  if (fd) {
    *out = std::move(fd);
    return ok();
  }
  if (errno == ENOSYS) return fail("openat2", ENOSYS, path, "nsjail-ts needs Linux 5.12 or newer");
  if (errno == ELOOP && no_symlinks)
    return fail("openat2", ELOOP, path,
                "is a symlink in the rootfs; it must be a directory (a symlinked /dev or /proc could point the runtime anywhere)");
  if (errno != ENOENT) return fail("openat2", errno, path, "mount target");

  // Walk down, creating each missing component with mkdirat in its (verified) parent.
  std::string done;
  Fd dir(::fcntl(root_fd, F_DUPFD_CLOEXEC, 0));
  if (!dir) return fail("fcntl", errno, path, "F_DUPFD_CLOEXEC");
  size_t start = 0;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string name = path.substr(start, end - start);
    start = end + 1;
    if (name.empty() || name == ".") continue;
    if (name == "..") return fail("mkdir", EINVAL, path, "'..' in a mount target");
    done += "/" + name;
    bool last = start >= path.size();
    Fd next = open_in_root(root_fd, done, false, no_symlinks);
    if (!next && errno == ENOENT) {
      NSJ_TRY(create_component(dir.get(), name, last && as_file, done, path, owner));
      next = open_in_root(root_fd, done, false, no_symlinks);
    }
    if (!next) return fail("openat2", errno, done, "mount target " + path);
    dir = std::move(next);
  }
  *out = std::move(dir);
  return ok();
}

Status parent_in_root(int root_fd, const std::string& path, const Owner& owner, Fd* dir, std::string* name) {
  size_t slash = path.find_last_of('/');
  std::string leaf = slash == std::string::npos ? path : path.substr(slash + 1);
  if (leaf.empty() || leaf == "." || leaf == "..") return fail("open", EINVAL, path, "not a file path");
  std::string parent = slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
  NSJ_TRY(ensure_in_root(root_fd, parent, false, false, dir, &owner));
  *name = leaf;
  return ok();
}

}  // namespace nsj

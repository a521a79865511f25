#include "dev.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../common/syscalls.h"
#include "paths.h"

namespace nsj {

namespace {

struct Node {
  const char* name;
  unsigned major, minor;
  bool required;
};
constexpr Node kNodes[] = {
    {"null", 1, 3, true},    {"zero", 1, 5, true},    {"full", 1, 7, true},
    {"random", 1, 8, true},  {"urandom", 1, 9, true}, {"tty", 5, 0, false},
};

void mount_fs(Ctx& ctx, int dir_fd, const char* type, unsigned long flags, const char* data,
              const std::string& what) {
  if (::mount(type, fd_path(dir_fd).c_str(), type, flags, data) < 0) die(ctx, "mount", errno, what, type);
}

}  // namespace

void open_dev_sources(Ctx& ctx, Sources* out) {
  for (const Node& n : kNodes) {
    std::string path = std::string("/dev/") + n.name;
    Fd fd(::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    struct stat st;
    if (!fd || ::fstat(fd.get(), &st) < 0) {
      if (!n.required) {
        out->nodes.emplace_back();
        continue;
      }
      die(ctx, "open", errno, path, "host device node");
    }
    if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != n.major || minor(st.st_rdev) != n.minor)
      die(ctx, "fstat", EPERM, path, "is not the expected character device " + std::to_string(n.major) +
                                         ":" + std::to_string(n.minor));
    Fd tree(sys::open_tree(fd.get(), "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH));
    if (!tree) die(ctx, "open_tree", errno, path);
    out->nodes.push_back(std::move(tree));
  }
}

void make_dev(Ctx& ctx, int root_fd, const proto::MountOp& op, Sources& src) {
  {
    Fd target(ensure_in_root(ctx, root_fd, op.target, false, true));  // never through a symlink (CVE-2026-41579)
    mount_fs(ctx, target.get(), "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=1m", op.target);
  }
  Fd dev(open_in_root(root_fd, op.target, true, true));  // now the tmpfs, not what it covers
  if (!dev) die(ctx, "openat2", errno, op.target);

  for (size_t i = 0; i < src.nodes.size(); i++) {
    if (!src.nodes[i]) continue;
    const char* name = kNodes[i].name;
    int f = ::openat(dev.get(), name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (f < 0) die(ctx, "open", errno, op.target + "/" + name);
    ::close(f);
    // Read-only: the node still opens for writing, but nothing inside can chmod, chown or
    // touch the host's node through it.
    sys::mount_attr_t attr{};
    attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC;
    if (sys::mount_setattr(src.nodes[i].get(), "", AT_EMPTY_PATH, &attr) < 0)
      die(ctx, "mount_setattr", errno, op.target + "/" + name, "read-only device node");
    if (sys::move_mount(src.nodes[i].get(), "", dev.get(), name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
      die(ctx, "move_mount", errno, op.target + "/" + name);
  }

  if (::mkdirat(dev.get(), "pts", 0755) < 0) die(ctx, "mkdir", errno, op.target + "/pts");
  {
    Fd pts(::openat(dev.get(), "pts", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!pts) die(ctx, "open", errno, op.target + "/pts");
    mount_fs(ctx, pts.get(), "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620",
             op.target + "/pts");
  }
  if (::mkdirat(dev.get(), "shm", 01777) < 0) die(ctx, "mkdir", errno, op.target + "/shm");
  {
    Fd shm(::openat(dev.get(), "shm", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!shm) die(ctx, "open", errno, op.target + "/shm");
    // Sized by the operation (limits.shmBytes): shared memory is tmpfs pages.
    std::string data = "mode=1777";
    if (op.size) data += ",size=" + std::to_string(op.size) + ",nr_inodes=" + std::to_string(tmpfs_inodes(op.size));
    mount_fs(ctx, shm.get(), "tmpfs", MS_NOSUID | MS_NODEV, data.c_str(), op.target + "/shm");
  }
  static const struct {
    const char* target;
    const char* name;
  } links[] = {{"pts/ptmx", "ptmx"},
               {"/proc/self/fd", "fd"},
               {"/proc/self/fd/0", "stdin"},
               {"/proc/self/fd/1", "stdout"},
               {"/proc/self/fd/2", "stderr"}};
  for (const auto& l : links)
    if (::symlinkat(l.target, dev.get(), l.name) < 0) die(ctx, "symlink", errno, op.target + "/" + l.name);
}

}  // namespace nsj

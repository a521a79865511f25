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

Status mount_fs(int dir_fd, const char* type, unsigned long flags, const std::string& data, const std::string& where) {
  if (::mount(type, fd_path(dir_fd).c_str(), type, flags, data.c_str()) < 0) return fail("mount", errno, where, type);
  return ok();
}

// A read-only bind of the verified host node: it still opens for writing, but nothing
// inside can chmod, chown or touch the host's node through it.
Status bind_node(int dev, const char* name, const Fd& node, const std::string& where) {
  Fd placeholder(::openat(dev, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0666));
  if (!placeholder) return fail("open", errno, where);
  sys::mount_attr_t attr{};
  attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC;
  if (sys::mount_setattr(node.get(), "", AT_EMPTY_PATH, &attr) < 0) return fail("mount_setattr", errno, where, "read-only device node");
  if (sys::move_mount(node.get(), "", dev, name, MOVE_MOUNT_F_EMPTY_PATH) < 0) return fail("move_mount", errno, where);
  return ok();
}

// A directory `name` in /dev with a file system of its own mounted on it.
Status subdir_fs(int dev, const char* name, mode_t mode, const char* type, unsigned long flags, const std::string& data,
                 const std::string& where) {
  if (::mkdirat(dev, name, mode) < 0) return fail("mkdir", errno, where);
  Fd dir(::openat(dev, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir) return fail("open", errno, where);
  return mount_fs(dir.get(), type, flags, data, where);
}

}  // namespace

Status open_char_device(const char* name, unsigned major_no, unsigned minor_no, Fd* out) {
  std::string path = std::string("/dev/") + name;
  Fd fd(::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  struct stat st;
  if (!fd || ::fstat(fd.get(), &st) < 0) return fail("open", errno, path, "host device node");
  if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != major_no || minor(st.st_rdev) != minor_no)
    return fail("fstat", EPERM, path, "is not the character device " + std::to_string(major_no) + ":" + std::to_string(minor_no));
  *out = std::move(fd);
  return ok();
}

Status open_dev_sources(Sources* out) {
  for (const Node& n : kNodes) {
    Fd fd;
    Status st = open_char_device(n.name, n.major, n.minor, &fd);
    if (!st.ok()) {
      if (n.required) return st;
      out->nodes.emplace_back();  // an optional node the host lacks: left out
      continue;
    }
    Fd tree(sys::open_tree(fd.get(), "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH));
    if (!tree) return fail("open_tree", errno, std::string("/dev/") + n.name);
    out->nodes.push_back(std::move(tree));
  }
  return ok();
}

Status make_dev(int root_fd, const proto::MountOp& op, Sources& src) {
  {
    Fd target;
    NSJ_TRY(ensure_in_root(root_fd, op.target, false, true, &target));  // never through a symlink (CVE-2026-41579)
    NSJ_TRY(mount_fs(target.get(), "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=1m", op.target));
  }
  Fd dev = open_in_root(root_fd, op.target, true, true);  // now the tmpfs, not what it covers
  if (!dev) return fail("openat2", errno, op.target);

  for (size_t i = 0; i < src.nodes.size(); i++)
    if (src.nodes[i]) NSJ_TRY(bind_node(dev.get(), kNodes[i].name, src.nodes[i], op.target + "/" + kNodes[i].name));

  NSJ_TRY(subdir_fs(dev.get(), "pts", 0755, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620", op.target + "/pts"));
  // Sized by the operation (limits.shmBytes): shared memory is tmpfs pages.
  std::string shm = "mode=1777";
  if (op.size) shm += ",size=" + std::to_string(op.size) + ",nr_inodes=" + std::to_string(tmpfs_inodes(op.size));
  NSJ_TRY(subdir_fs(dev.get(), "shm", 01777, "tmpfs", MS_NOSUID | MS_NODEV, shm, op.target + "/shm"));

  static const struct {
    const char* target;
    const char* name;
  } links[] = {{"pts/ptmx", "ptmx"},
               {"/proc/self/fd", "fd"},
               {"/proc/self/fd/0", "stdin"},
               {"/proc/self/fd/1", "stdout"},
               {"/proc/self/fd/2", "stderr"}};
  for (const auto& l : links)
    if (::symlinkat(l.target, dev.get(), l.name) < 0) return fail("symlink", errno, op.target + "/" + l.name);
  return ok();
}

}  // namespace nsj

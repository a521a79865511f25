#include "masks.h"

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

// The target, never through a symlink; an invalid Fd when it is missing and optional.
Fd open_target(Ctx& ctx, int root_fd, const proto::MountOp& op, const char* what) {
  Fd target(open_in_root(root_fd, op.target, false, true));
  if (target) return target;
  int e = errno;
  // Missing, or out of our reach (a root caller's container root cannot search /root): we
  // have every capability the program will have, so what we cannot reach, it cannot.
  if ((e == ENOENT || e == EACCES) && (op.flags & proto::MF_OPTIONAL)) return target;
  die(ctx, "openat2", e, op.target,
      e == ELOOP ? std::string(what) + ": a symlink on the way; refusing to follow it" : what);
}

}  // namespace

Fd open_null_source(Ctx& ctx) {
  Fd fd(::open("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC));
  struct stat st;
  if (!fd || ::fstat(fd.get(), &st) < 0) die(ctx, "open", errno, "/dev/null", "to mask paths with");
  if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
    die(ctx, "fstat", EPERM, "/dev/null", "is not the character device 1:3");
  return fd;
}

void apply_mask(Ctx& ctx, int root_fd, const proto::MountOp& op, int null_fd) {
  Fd target = open_target(ctx, root_fd, op, "masked path");
  if (!target) return;
  struct stat st;
  if (::fstat(target.get(), &st) < 0) die(ctx, "fstat", errno, op.target, "masked path");
  if (S_ISDIR(st.st_mode)) {
    if (::mount("tmpfs", fd_path(target.get()).c_str(), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                "size=4k,nr_inodes=1,mode=0555") < 0)
      die(ctx, "mount", errno, op.target, "empty read-only tmpfs over a masked directory");
    return;
  }
  Fd null(sys::open_tree(null_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH));
  if (!null) die(ctx, "open_tree", errno, "/dev/null", "to mask " + op.target);
  sys::mount_attr_t attr{};
  attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC;
  if (sys::mount_setattr(null.get(), "", AT_EMPTY_PATH, &attr) < 0) die(ctx, "mount_setattr", errno, op.target, "mask");
  if (sys::move_mount(null.get(), "", target.get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    die(ctx, "move_mount", errno, op.target, "/dev/null over a masked file");
}

void apply_rebind(Ctx& ctx, int root_fd, const proto::MountOp& op) {
  Fd target = open_target(ctx, root_fd, op, "read-only path");
  if (!target) return;
  Fd tree(sys::open_tree(target.get(), "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE));
  if (!tree) die(ctx, "open_tree", errno, op.target, "read-only path");
  sys::mount_attr_t attr{};
  if (op.flags & proto::MF_READONLY) attr.attr_set |= MOUNT_ATTR_RDONLY;
  if (op.flags & proto::MF_NOSUID) attr.attr_set |= MOUNT_ATTR_NOSUID;
  if (op.flags & proto::MF_NODEV) attr.attr_set |= MOUNT_ATTR_NODEV;
  if (op.flags & proto::MF_NOEXEC) attr.attr_set |= MOUNT_ATTR_NOEXEC;
  if (attr.attr_set && sys::mount_setattr(tree.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0)
    die(ctx, "mount_setattr", errno, op.target, "read-only path");
  if (sys::move_mount(tree.get(), "", target.get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    die(ctx, "move_mount", errno, op.target, "read-only path");
}

}  // namespace nsj

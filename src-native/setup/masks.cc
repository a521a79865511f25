#include "masks.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/syscalls.h"
#include "paths.h"

namespace nsj {

namespace {

// The target, never through a symlink. Missing, or out of our reach (a root caller's
// container root cannot search /root), an optional target is skipped (*out stays
// invalid): we have every capability the program will have, so what we cannot reach,
// it cannot.
Status open_target(int root_fd, const proto::MountOp& op, const char* what, Fd* out) {
  *out = open_in_root(root_fd, op.target, false, true);
  if (*out) return ok();
  int e = errno;
  if ((e == ENOENT || e == EACCES) && (op.flags & proto::MF_OPTIONAL)) return ok();
  return fail("openat2", e, op.target, e == ELOOP ? std::string(what) + ": a symlink on the way; refusing to follow it" : what);
}

sys::mount_attr_t attrs_of(uint32_t flags) {
  sys::mount_attr_t attr{};
  if (flags & proto::MF_READONLY) attr.attr_set |= MOUNT_ATTR_RDONLY;
  if (flags & proto::MF_NOSUID) attr.attr_set |= MOUNT_ATTR_NOSUID;
  if (flags & proto::MF_NODEV) attr.attr_set |= MOUNT_ATTR_NODEV;
  if (flags & proto::MF_NOEXEC) attr.attr_set |= MOUNT_ATTR_NOEXEC;
  return attr;
}

}  // namespace

Status apply_mask(int root_fd, const proto::MountOp& op, int null_fd) {
  Fd target;
  NSJ_TRY(open_target(root_fd, op, "masked path", &target));
  if (!target) return ok();
  struct stat st;
  if (::fstat(target.get(), &st) < 0) return fail("fstat", errno, op.target, "masked path");
  if (S_ISDIR(st.st_mode)) {
    if (::mount("tmpfs", fd_path(target.get()).c_str(), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                "size=4k,nr_inodes=1,mode=0555") < 0)
      return fail("mount", errno, op.target, "empty read-only tmpfs over a masked directory");
    return ok();
  }
  Fd null(sys::open_tree(null_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH));
  if (!null) return fail("open_tree", errno, "/dev/null", "to mask " + op.target);
  sys::mount_attr_t attr = attrs_of(proto::MF_READONLY | proto::MF_NOSUID | proto::MF_NOEXEC);
  if (sys::mount_setattr(null.get(), "", AT_EMPTY_PATH, &attr) < 0) return fail("mount_setattr", errno, op.target, "mask");
  if (sys::move_mount(null.get(), "", target.get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return fail("move_mount", errno, op.target, "/dev/null over a masked file");
  return ok();
}

Status apply_rebind(int root_fd, const proto::MountOp& op) {
  Fd target;
  NSJ_TRY(open_target(root_fd, op, "read-only path", &target));
  if (!target) return ok();
  Fd tree(sys::open_tree(target.get(), "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE));
  if (!tree) return fail("open_tree", errno, op.target, "read-only path");
  sys::mount_attr_t attr = attrs_of(op.flags);
  if (attr.attr_set && sys::mount_setattr(tree.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0)
    return fail("mount_setattr", errno, op.target, "read-only path");
  if (sys::move_mount(tree.get(), "", target.get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return fail("move_mount", errno, op.target, "read-only path");
  return ok();
}

}  // namespace nsj

#include "caller_sources.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "../common/syscalls.h"

namespace nsj {

using proto::MountKind;

namespace {

// The directory holding an overlay's host upper dir and its work dir (overlayfs wants
// both on one mount), cloned: the container's root (an unprivileged host id) may not be
// able to reach it by path, and an fd opened here would name a mount of the host's
// namespace, which overlayfs refuses as a layer. Not idmapped: what the program changes
// lands owned by the container's host ids, never host root's.
Status open_upper(const proto::MountOp& op, Fd* out) {
  if (op.data.empty()) return ok();
  std::string parent = op.data.substr(0, op.data.find_last_of('/'));
  out->reset(sys::open_tree(AT_FDCWD, parent.empty() ? "/" : parent.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
  if (!*out) return fail("open_tree", errno, parent, "the directory of overlay upperDir " + op.data);
  return ok();
}

}  // namespace

Status open_caller_sources(Ctx& ctx) {
  const auto& ops = ctx.boot.mounts;
  ctx.caller_trees.clear();
  ctx.caller_trees.resize(ops.size());
  ctx.caller_uppers.clear();
  ctx.caller_uppers.resize(ops.size());
  for (size_t i = 0; i < ops.size(); i++) {
    const proto::MountOp& op = ops[i];
    if (op.kind == MountKind::Overlay) NSJ_TRY(open_upper(op, &ctx.caller_uppers[i]));
    if (op.kind != MountKind::Bind && op.kind != MountKind::RootDir && op.kind != MountKind::Overlay) continue;
    // An overlay's lower layer is one file system: its mounts below are not part of it.
    bool recursive = op.kind == MountKind::RootDir || (op.kind == MountKind::Bind && (op.flags & proto::MF_RECURSIVE));
    unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
    Fd tree(sys::open_tree(AT_FDCWD, op.source.c_str(), flags));
    if (!tree) {
      int e = errno;
      return fail("open_tree", e, op.source,
          e == EINVAL && !recursive
              ? "a non-recursive bind of a directory with mounts below it would reveal what they hide; use recursive: true"
              : op.kind == MountKind::RootDir ? "rootfs" : op.kind == MountKind::Overlay ? "overlay source" : "bind mount source");
    }
    ctx.caller_trees[i] = std::move(tree);
  }
  return ok();
}

Status idmap_caller_sources(Ctx& ctx, pid_t stage1) {
  const auto& ops = ctx.boot.mounts;
  Fd userns;
  for (size_t i = 0; i < ops.size() && i < ctx.caller_trees.size(); i++) {
    if (!(ops[i].flags & proto::MF_IDMAP) || !ctx.caller_trees[i]) continue;
    if (!userns) {
      std::string path = "/proc/" + std::to_string(stage1) + "/ns/user";
      userns.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
      if (!userns) return fail("open", errno, path, "the container's user namespace, for idmapped mounts");
    }
    sys::mount_attr_t attr{};
    attr.attr_set = MOUNT_ATTR_IDMAP;
    attr.userns_fd = static_cast<uint64_t>(userns.get());
    if (sys::mount_setattr(ctx.caller_trees[i].get(), "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0) {
      int e = errno;
      return fail("mount_setattr", e, ops[i].source,
          e == EINVAL || e == EPERM || e == EOPNOTSUPP
              ? "idmapped mount: this file system (or one mounted below it) does not support idmapped mounts "
                "(ext4, xfs and btrfs do since Linux 5.12, tmpfs since 6.3); set idmap: false on this mount, or map "
                "container root to the host's root explicitly (uidMappings/gidMappings [{ containerId: 0, hostId: 0, size: 1 }])"
              : "idmapped mount");
    }
  }
  return ok();
}

}  // namespace nsj

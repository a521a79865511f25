#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "../common/syscalls.h"
#include "dev.h"
#include "overlay.h"
#include "paths.h"

namespace nsj {

using proto::MountKind;
using proto::MountOp;

namespace {

const char* fstype(MountKind k) {
  switch (k) {
    case MountKind::Tmpfs: return "tmpfs";
    case MountKind::Proc: return "proc";
    case MountKind::Sysfs: return "sysfs";
    case MountKind::Devpts: return "devpts";
    case MountKind::Mqueue: return "mqueue";
    default: return "";
  }
}

std::string fs_data(const MountOp& op) {
  std::string data = op.data;
  auto add = [&](const std::string& opt) { data += (data.empty() ? "" : ",") + opt; };
  if (op.kind == MountKind::Tmpfs) {
    char mode[24];
    std::snprintf(mode, sizeof mode, "mode=0%o", op.mode ? op.mode : 0755);
    add(mode);
    if (op.size) {
      add("size=" + std::to_string(op.size));
      add("nr_inodes=" + std::to_string(tmpfs_inodes(op.size)));
    }
  }
  if (op.kind == MountKind::Devpts && data.empty()) data = "newinstance,ptmxmode=0666,mode=0620";
  return data;
}

// Top-level directories a later mount replaces whole (a procfs, /dev, a tmpfs), which the
// skeleton root need not bind from the host only to cover them.
std::vector<std::string> covered_top_levels(const std::vector<MountOp>& ops) {
  std::vector<std::string> out;
  for (const auto& op : ops) {
    bool whole = op.kind == MountKind::Proc || op.kind == MountKind::Dev || op.kind == MountKind::Tmpfs;
    if (whole && !(op.flags & proto::MF_OPTIONAL) && op.target.size() > 1 && op.target.find('/', 1) == std::string::npos)
      out.push_back(op.target.substr(1));
  }
  return out;
}

}  // namespace

unsigned long ms_flags(const MountOp& op) {
  unsigned long f = 0;
  if (op.flags & proto::MF_READONLY) f |= MS_RDONLY;
  if (op.flags & proto::MF_NOSUID) f |= MS_NOSUID;
  if (op.flags & proto::MF_NODEV) f |= MS_NODEV;
  if (op.flags & proto::MF_NOEXEC) f |= MS_NOEXEC;
  return f;
}

Status open_sources(Ctx& ctx, size_t index, Sources* out) {
  const MountOp& op = ctx.boot.mounts[index];
  switch (op.kind) {
    case MountKind::RootHost:
      if (!op.data.empty()) return open_skeleton_sources(&out->top, covered_top_levels(ctx.boot.mounts));
      [[fallthrough]];
    case MountKind::RootDir:
    case MountKind::Bind: {
      const char* src = op.kind == MountKind::RootHost ? "/" : op.source.c_str();
      bool recursive = op.kind != MountKind::Bind || (op.flags & proto::MF_RECURSIVE);
      unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
      if (index < ctx.caller_trees.size() && ctx.caller_trees[index])
        out->tree = std::move(ctx.caller_trees[index]);
      else
        out->tree.reset(sys::open_tree(AT_FDCWD, src, flags));
      if (!out->tree) {
        int e = errno;
        return fail("open_tree", e, src,
                    e == ENOSYS ? "nsjail-ts needs Linux 5.12 or newer"
                    : e == EINVAL && !recursive
                        ? "a non-recursive bind of a directory with mounts below it would reveal what they hide; use recursive: true"
                        : "bind mount source");
      }
      struct stat st;
      if (::fstat(out->tree.get(), &st) < 0) return fail("fstat", errno, src);
      out->is_dir = S_ISDIR(st.st_mode);
      if (op.kind != MountKind::Bind && !out->is_dir) return fail("open_tree", ENOTDIR, src, "rootfs");
      return ok();
    }
    case MountKind::Dev: return open_dev_sources(out);
    case MountKind::Overlay: return open_overlay_sources(ctx, index, out);
    default: return ok();
  }
}

Status attach_tree(int tree, int target_fd, const char* target_path, const MountOp& op) {
  sys::mount_attr_t attr{};
  if (op.kind == MountKind::RootHost) {
    attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
  } else {
    if (op.flags & proto::MF_READONLY) attr.attr_set |= MOUNT_ATTR_RDONLY;
    if (op.flags & proto::MF_NOSUID) attr.attr_set |= MOUNT_ATTR_NOSUID;
    if (op.flags & proto::MF_NODEV) attr.attr_set |= MOUNT_ATTR_NODEV;
    if (op.flags & proto::MF_NOEXEC) attr.attr_set |= MOUNT_ATTR_NOEXEC;
  }
  const char* what = target_path ? target_path : op.target.c_str();
  if (attr.attr_set) {
    // Recursive, so no submount of a read-only bind stays writable.
    unsigned flags = AT_EMPTY_PATH | AT_RECURSIVE;
    if (sys::mount_setattr(tree, "", flags, &attr) < 0)
      return fail("mount_setattr", errno, what, errno == ENOSYS ? "nsjail-ts needs Linux 5.12 or newer" : "");
  }
  unsigned mflags = MOVE_MOUNT_F_EMPTY_PATH | (target_fd >= 0 ? MOVE_MOUNT_T_EMPTY_PATH : 0);
  if (sys::move_mount(tree, "", target_fd >= 0 ? target_fd : AT_FDCWD, target_fd >= 0 ? "" : target_path,
                      mflags) < 0)
    return fail("move_mount", errno, what);
  return ok();
}

Status apply_mount(int root_fd, const MountOp& op, Sources& src) {
  if (op.kind == MountKind::Bind) {
    Fd target;
    NSJ_TRY(ensure_in_root(root_fd, op.target, !src.is_dir, false, &target));
    struct stat st;
    if (::fstat(target.get(), &st) < 0) return fail("fstat", errno, op.target, "bind mount target");
    if (S_ISDIR(st.st_mode) != src.is_dir)
      return fail("move_mount", src.is_dir ? ENOTDIR : EISDIR, op.target,
                  src.is_dir ? "bind mount source " + op.source + " is a directory but the target is not"
                             : "bind mount source " + op.source + " is a file but the target is a directory");
    return attach_tree(src.tree.get(), target.get(), nullptr, op);
  }
  const char* type = fstype(op.kind);
  if (!*type) return fail("mount", EINVAL, op.target, "mount operation out of place");
  // A procfs or sysfs mounted where a symlink points is how runtimes get tricked into
  // writing the wrong files (CVE-2019-19921 and its successors): these never follow one.
  bool own = op.kind == MountKind::Proc || op.kind == MountKind::Sysfs;
  Fd target;
  Status made = ensure_in_root(root_fd, op.target, false, own, &target);
  // An optional file system (a fresh sysfs) has nowhere to go on a read-only root that
  // lacks its directory: leave it out rather than fail.
  if (!made.ok() && made.err == EROFS && (op.flags & proto::MF_OPTIONAL)) return ok();
  NSJ_TRY(made);
  std::string data = fs_data(op);
  unsigned long flags = ms_flags(op);
  if (op.kind != MountKind::Tmpfs) flags |= MS_NOSUID | MS_NODEV | MS_NOEXEC;
  if (op.kind == MountKind::Devpts) flags &= ~static_cast<unsigned long>(MS_NODEV);
  if (::mount(type, fd_path(target.get()).c_str(), type, flags, data.empty() ? nullptr : data.c_str()) < 0) {
    int e = errno;
    // Optional mounts (a fresh sysfs) keep what the read-only host view already shows.
    if ((op.flags & proto::MF_OPTIONAL) && (e == EPERM || e == EACCES)) return ok();
    return fail("mount", e, op.target,
                std::string(type) + (e == EPERM && op.kind == MountKind::Proc
                                         ? ": the host's /proc has paths mounted over (a container runtime masks "
                                           "them); the kernel then refuses a new procfs"
                                         : ""));
  }
  return ok();
}

}  // namespace nsj

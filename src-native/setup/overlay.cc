#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/syscalls.h"
#include "paths.h"

namespace nsj {

namespace {

Status open_dir(const std::string& path, const char* what, Fd* out) {
  out->reset(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!*out) return fail("open", errno, path, what);
  return ok();
}

// The topmost mount at the mount point, after each layer stacked there.
Status reopen(const MountPoint& where, Fd* out) {
  if (where.root_fd >= 0)
    return ensure_in_root(where.root_fd, where.path, false, false, out);
  return open_dir(where.path, "overlay mount point", out);
}

std::string base_name(const std::string& path) { return path.substr(path.find_last_of('/') + 1); }

// A detached clone stacked at the mount point, so that it may serve as a layer.
Status attach_below(const MountPoint& where, int tree, const std::string& what) {
  Fd at;
  NSJ_TRY(reopen(where, &at));
  if (sys::move_mount(tree, "", at.get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return fail("move_mount", errno, where.path, what);
  return ok();
}

bool in_user_namespace(const Ctx& ctx) {
  bool in = (ctx.boot.clone_flags & CLONE_NEWUSER) != 0;
  for (const auto& ns : ctx.boot.ns_paths) in = in || ns.type == "user";
  return in;
}

// The private upper: a sized tmpfs stacked on the mount point, holding upper/ (with the
// lower root's mode and, where the container has its ids, owner: the view's root looks
// like the source's) and work/.
Status private_upper(const MountPoint& where, const proto::MountOp& op, int lower, std::string* upper, std::string* work,
                     Fd* keep) {
  Fd at;
  NSJ_TRY(reopen(where, &at));
  struct stat st;
  if (::fstat(lower, &st) < 0) return fail("fstat", errno, op.source, "overlay lower dir");
  std::string data = "mode=0700";
  if (op.size) data += ",size=" + std::to_string(op.size) + ",nr_inodes=" + std::to_string(tmpfs_inodes(op.size));
  if (::mount("tmpfs", fd_path(at.get()).c_str(), "tmpfs", MS_NOSUID | MS_NODEV, data.c_str()) < 0)
    return fail("mount", errno, where.path, "the overlay's private upper layer (tmpfs)");
  NSJ_TRY(reopen(where, keep));
  if (::mkdirat(keep->get(), "upper", st.st_mode & 07777) < 0 || ::mkdirat(keep->get(), "work", 0700) < 0)
    return fail("mkdir", errno, where.path, "the overlay's upper and work dirs");
  (void)!::fchownat(keep->get(), "upper", st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);  // unmapped owner: ours stays
  *upper = fd_path(keep->get()) + "/upper";
  *work = fd_path(keep->get()) + "/work";
  return ok();
}

}  // namespace

Status open_overlay_sources(Ctx& ctx, size_t index, Sources* out) {
  const proto::MountOp& op = ctx.boot.mounts[index];
  if (index < ctx.caller_trees.size() && ctx.caller_trees[index]) {
    out->tree = std::move(ctx.caller_trees[index]);
    out->detached = true;
  } else {
    NSJ_TRY(open_dir(op.source, "overlay source", &out->tree));
  }
  if (op.data.empty()) return ok();
  if (index < ctx.caller_uppers.size() && ctx.caller_uppers[index]) {
    out->upper_tree = std::move(ctx.caller_uppers[index]);
    return ok();
  }
  NSJ_TRY(open_dir(op.data, "overlay upperDir", &out->upper));
  return open_dir(op.workdir, "overlay work dir", &out->work);
}

Status apply_overlay(Ctx& ctx, const MountPoint& where, const proto::MountOp& op, Sources& src) {
  // A root caller's clones are attached (at the mount point, where the overlay then
  // covers them) before they are layers: kernels before 6.15 refuse detached mounts.
  if (src.detached) NSJ_TRY(attach_below(where, src.tree.get(), "the overlay's lower layer " + op.source));
  std::string upper, work;
  Fd tmp;
  if (op.data.empty()) {
    NSJ_TRY(private_upper(where, op, src.tree.get(), &upper, &work, &tmp));
  } else if (src.upper_tree) {
    NSJ_TRY(attach_below(where, src.upper_tree.get(), "the directory of overlay upperDir " + op.data));
    upper = fd_path(src.upper_tree.get()) + "/" + base_name(op.data);
    work = fd_path(src.upper_tree.get()) + "/" + base_name(op.workdir);
    src.upper.reset(::open(upper.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!src.upper) return fail("open", errno, op.data, "overlay upperDir");
  } else {
    upper = fd_path(src.upper.get());
    work = fd_path(src.work.get());
  }
  std::string data = "lowerdir=" + fd_path(src.tree.get()) + ",upperdir=" + upper + ",workdir=" + work;
  if (in_user_namespace(ctx)) data += ",userxattr";
  Fd at;
  NSJ_TRY(reopen(where, &at));
  if (::mount("overlay", fd_path(at.get()).c_str(), "overlay", ms_flags(op), data.c_str()) < 0) {
    int e = errno;
    return fail("mount", e, where.path,
                "overlay of " + op.source +
                    (e == EINVAL || e == EPERM
                         ? ": the kernel refused it (an overlay in a user namespace needs Linux 5.11 or newer; for a "
                           "normal caller no mount may be below the source; every layer must be readable by the "
                           "container's root, an upperDir writable by it)"
                         : ""));
  }
  // The upper layer, for changes(): a directory fd the file agent can walk.
  Fd layer(op.data.empty() ? ::openat(tmp.get(), "upper", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                           : ::openat(src.upper.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!layer) return fail("open", errno, where.path, "the overlay's upper layer");
  ctx.layers.push_back(std::move(layer));
  return ok();
}

}  // namespace nsj

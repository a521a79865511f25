#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "../common/syscalls.h"
#include "../runtime/channel.h"
#include "dev.h"
#include "fixtures.h"
#include "masks.h"
#include "mounts.h"
#include "overlay.h"

namespace nsj {

namespace {

using proto::MountKind;
using proto::MountOp;

// Any directory will do as the place the new root is assembled at: we are in our own
// mount namespace, and every source was opened before anything was mounted over it.
Status pick_staging(const char** out) {
  for (const char* dir : {"/tmp", "/mnt", "/var/tmp", "/root"}) {
    struct stat st;
    if (::lstat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
      *out = dir;
      return ok();
    }
  }
  return fail("lstat", ENOENT, "/tmp", "no directory to assemble the root at");
}

// RootHost's data: the top-level directories to add, separated by '/'.
Status split_names(const std::string& data, std::vector<std::string>* out) {
  size_t start = 0;
  while (start < data.size()) {
    size_t end = data.find('/', start);
    if (end == std::string::npos) end = data.size();
    std::string name = data.substr(start, end - start);
    if (name == "." || name == "..") return fail("mount", EINVAL, "/" + name, "bad top-level name");
    if (!name.empty()) out->push_back(name);
    start = end + 1;
  }
  return ok();
}

Status attach_root(Ctx& ctx, const MountOp& op, Sources& src, const char* staging) {
  if (op.kind == MountKind::Overlay) return apply_overlay(ctx, MountPoint{-1, staging}, op, src);  // writableRoot
  if (op.kind == MountKind::RootHost && !op.data.empty()) {
    std::vector<std::string> extra;
    NSJ_TRY(split_names(op.data, &extra));
    return attach_skeleton(staging, src.top, extra);
  }
  return attach_tree(src.tree.get(), -1, staging, op);
}

Status apply(Ctx& ctx, int root, const MountOp& op, Sources& src, int null_fd) {
  switch (op.kind) {
    case MountKind::Dev: return make_dev(root, op, src);
    case MountKind::Overlay: return apply_overlay(ctx, MountPoint{root, op.target}, op, src);
    case MountKind::File: return write_fixture(root, op, Owner{ctx.boot.uid, ctx.boot.gid});
    case MountKind::Mask: return apply_mask(root, op, null_fd);
    case MountKind::Rebind: return apply_rebind(root, op);
    default: return apply_mount(root, op, src);
  }
}

// pivot_root(".", ".") stacks the old root on the new one; detaching it leaves only ours.
Status pivot(const char* staging) {
  if (::chdir(staging) < 0) return fail("chdir", errno, staging, "new root");
  if (sys::pivot_root(".", ".") < 0) return fail("pivot_root", errno, staging);
  if (::umount2(".", MNT_DETACH) < 0) return fail("umount2", errno, "/", "detach the old root");
  if (::chdir("/") < 0) return fail("chdir", errno, "/");
  return ok();
}

}  // namespace

Status build_rootfs(Ctx& ctx) {
  const auto& ops = ctx.boot.mounts;
  if (ops[0].kind != MountKind::RootHost && ops[0].kind != MountKind::RootDir && ops[0].kind != MountKind::Overlay)
    return fail("mount", EINVAL, "/", "the first mount operation must make the root");

  // Our mounts never propagate to the host; the host's unmounts still reach us.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) < 0) return fail("mount", errno, "/", "make / a recursive slave");

  // Phase 1: open every source on the host, before the staging mount hides any path.
  std::vector<Sources> sources(ops.size());
  for (size_t i = 0; i < ops.size(); i++) NSJ_TRY(open_sources(ctx, i, &sources[i]));
  trace(ctx, "mount sources opened");
  ctx.caller_trees.clear();
  ctx.caller_uppers.clear();
  Fd null;
  for (const auto& op : ops)
    if (op.kind == MountKind::Mask && !null) NSJ_TRY(open_char_device("null", 1, 3, &null));

  // Phase 2: attach the root.
  const char* staging = nullptr;
  NSJ_TRY(pick_staging(&staging));
  NSJ_TRY(attach_root(ctx, ops[0], sources[0], staging));
  trace(ctx, "root attached");
  Fd root(::open(staging, O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return fail("open", errno, staging, "new root");

  // Phase 3: everything else, inside it.
  for (size_t i = 1; i < ops.size(); i++) {
    NSJ_TRY(apply(ctx, root.get(), ops[i], sources[i], null.get()));
    trace(ctx, "%s %s", proto::mount_kind_name(ops[i].kind), ops[i].target.c_str());
  }
  sources.clear();
  trace(ctx, "every mount operation done");
  if (ops[0].kind == MountKind::RootHost && !ops[0].data.empty()) NSJ_TRY(seal_skeleton(root.get()));
  root.reset();
  NSJ_TRY(pivot(staging));
  trace(ctx, "pivoted");
  return ok();
}

}  // namespace nsj

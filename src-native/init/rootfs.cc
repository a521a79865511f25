#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "../common/syscalls.h"
#include "dev.h"
#include "masks.h"
#include "mounts.h"

namespace nsj {

namespace {

using proto::MountKind;
using proto::MountOp;

// Any directory will do as the place the new root is assembled at: we are in our own
// mount namespace, and every source was opened before anything was mounted over it.
const char* pick_staging(Ctx& ctx) {
  for (const char* dir : {"/tmp", "/mnt", "/var/tmp", "/root"}) {
    struct stat st;
    if (::lstat(dir, &st) == 0 && S_ISDIR(st.st_mode)) return dir;
  }
  die(ctx, "lstat", ENOENT, "/tmp", "no directory to assemble the root at");
}

// RootHost's data: the top-level directories to add, separated by '/'.
std::vector<std::string> split_names(Ctx& ctx, const std::string& data) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < data.size()) {
    size_t end = data.find('/', start);
    if (end == std::string::npos) end = data.size();
    std::string name = data.substr(start, end - start);
    if (name == "." || name == "..") die_proto(ctx, "mount", EINVAL, "bad top-level name");
    if (!name.empty()) out.push_back(name);
    start = end + 1;
  }
  return out;
}

}  // namespace

void build_rootfs(Ctx& ctx) {
  const auto& ops = ctx.boot.mounts;
  if (ops[0].kind != MountKind::RootHost && ops[0].kind != MountKind::RootDir)
    die_proto(ctx, "mount", EINVAL, "the first mount operation must make the root");

  // Our mounts never propagate to the host; the host's unmounts still reach us.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) < 0)
    die(ctx, "mount", errno, "/", "make / a recursive slave");

  // Phase 1: open every source on the host, before the staging mount hides any path.
  std::vector<Sources> sources(ops.size());
  for (size_t i = 0; i < ops.size(); i++) open_sources(ctx, i, &sources[i]);
  Fd null;
  for (const auto& op : ops)
    if (op.kind == MountKind::Mask && !null) null = open_null_source(ctx);
  ctx.caller_trees.clear();

  // Phase 2: attach the root.
  const char* staging = pick_staging(ctx);
  bool skeleton = ops[0].kind == MountKind::RootHost && !ops[0].data.empty();
  if (skeleton)
    attach_skeleton(ctx, staging, sources[0].top, split_names(ctx, ops[0].data));
  else
    attach_tree(ctx, sources[0].tree.get(), -1, staging, ops[0]);
  int root = ::open(staging, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) die(ctx, "open", errno, staging, "new root");

  // Phase 3: everything else, inside it.
  for (size_t i = 1; i < ops.size(); i++) {
    switch (ops[i].kind) {
      case MountKind::Dev: make_dev(ctx, root, ops[i], sources[i]); break;
      case MountKind::Mask: apply_mask(ctx, root, ops[i], null.get()); break;
      case MountKind::Rebind: apply_rebind(ctx, root, ops[i]); break;
      default: apply_mount(ctx, root, ops[i], sources[i]);
    }
  }
  sources.clear();
  if (skeleton) seal_skeleton(ctx, root);
  ::close(root);

  // pivot_root(".", ".") stacks the old root on the new one; detaching it leaves only ours.
  if (::chdir(staging) < 0) die(ctx, "chdir", errno, staging, "new root");
  if (sys::pivot_root(".", ".") < 0) die(ctx, "pivot_root", errno, staging);
  if (::umount2(".", MNT_DETACH) < 0) die(ctx, "umount2", errno, "/", "detach the old root");
  if (::chdir("/") < 0) die(ctx, "chdir", errno, "/");
}

}  // namespace nsj

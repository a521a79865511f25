// One mount operation inside the new root. Bind sources are cloned with open_tree and
// attached with move_mount onto an fd resolved inside the root, so neither a symlink in
// the target nor a later rename can redirect them (CVE-2021-30465).
#pragma once
#include <cstdint>
#include <vector>

#include "../common/fd.h"
#include "../common/status.h"
#include "../runtime/context.h"
#include "skeleton.h"

namespace nsj {

struct Sources {
  Fd tree;                // a detached clone of a bind or root source; an overlay's lower dir
  bool is_dir = true;     // of that source
  bool detached = false;  // Overlay: tree is a detached clone (a root caller's, maybe idmapped)
  Fd upper, work;         // Overlay with a host upper dir: O_PATH fds of it and its work dir, or
  Fd upper_tree;          // a root caller's: a clone of the directory holding both
  std::vector<Fd> nodes;  // device node clones, for the minimal /dev
  std::vector<TopEntry> top;  // the host root as a skeleton (RootHost with extra directories)
};

// The sources of operation `index`: cloned from the host tree now, or taken from what
// stage 0 opened with the caller's privileges (ctx.caller_trees).
Status open_sources(Ctx& ctx, size_t index, Sources* out);
// Inodes for a tmpfs of `size` bytes: one per 4 KiB, at least 1024. An inode costs kernel
// memory that the size does not count, so a sized tmpfs bounds them too.
inline uint64_t tmpfs_inodes(uint64_t size) { return size / 4096 > 1024 ? size / 4096 : 1024; }
// The operation's flags as mount(2) takes them.
unsigned long ms_flags(const proto::MountOp& op);
// Sets the operation's flags on a detached tree and attaches it at target_fd
// (or, if target_fd < 0, at target_path).
Status attach_tree(int tree, int target_fd, const char* target_path, const proto::MountOp& op);
Status apply_mount(int root_fd, const proto::MountOp& op, Sources& src);

}  // namespace nsj

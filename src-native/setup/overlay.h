// Copy-on-write views (MountKind::Overlay): a host directory read-only below a writable
// upper layer, so the program may change anything and nothing reaches the source.
//   upper    a private tmpfs of op.size bytes mounted at the target and covered by the
//            overlay (the program never sees it; it vanishes with the mount namespace),
//            or a host directory (op.data) with its work dir (op.workdir)
//   lower    op.source: for a root caller the tree stage 0 cloned (idmapped, so that
//            what host root owns, container root owns and can change in the copy)
// Rootless overlayfs needs Linux 5.11 (the `userxattr` option: whiteouts and opaque
// directories as user.overlay.* xattrs).
#pragma once
#include "../common/status.h"
#include "../runtime/context.h"
#include "mounts.h"

namespace nsj {

// Where an overlay goes: a target inside the new root, or (the writable host root) a
// directory of our own mount namespace.
struct MountPoint {
  int root_fd = -1;  // >= 0: path is resolved inside this root
  std::string path;
};

// Phase 1: the lower dir (unless stage 0 cloned it) and a host upper dir, opened.
Status open_overlay_sources(Ctx& ctx, size_t index, Sources* out);
// Mounts it at `where`; the upper layer's directory goes to ctx.layers.
Status apply_overlay(Ctx& ctx, const MountPoint& where, const proto::MountOp& op, Sources& src);

}  // namespace nsj

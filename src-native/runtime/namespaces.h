// Namespace fds in the stages: opening a path given to join (checked to be a namespace
// file, never blocking on a FIFO), and handing the addon the fds of a container's own.
#pragma once
#include <initializer_list>

#include "../common/fd.h"
#include "../common/status.h"
#include "context.h"

namespace nsj {

// O_RDONLY|O_NONBLOCK, then fstatfs must say nsfs.
Status open_namespace(const proto::NsPath& ns, Fd* out);
// Stage 2 of a container hands the addon an fd of each of its namespaces (MSG_NSFDS):
// exec and joins by other containers use them, never a /proc/<pid> path that a recycled
// pid could make point elsewhere.
Status send_namespaces(Ctx& ctx);
// The nested user and mount namespaces of a container that keeps CAP_SYS_ADMIN
// (setup/mount_lock.h), held after the others and joined after them.
Status send_locked_namespaces(Ctx& ctx);
// The overlays' upper layers (ctx.layers, in mount order), for the caller's changes():
// sent in batches, after the root is built. Closed here once sent.
Status send_layers(Ctx& ctx);

}  // namespace nsj

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "../common/syscalls.h"
#include "../protocol/sync.h"
#include "../init/caller_sources.h"
#include "idmap.h"
#include "stages.h"

namespace nsj {

namespace {

void write_file(Ctx& ctx, const std::string& path, const std::string& data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) die(ctx, "open", errno, path);
  ssize_t n = ::write(fd, data.data(), data.size());
  int e = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(data.size())) die(ctx, "write", n < 0 ? e : EIO, path);
}

void relay_pids(Ctx& ctx, pid_t stage2, pid_t stage1) {
  proto::Report r;
  r.type = proto::MSG_PIDS;
  r.stage = proto::STAGE_PARENT;
  r.json = proto::format_pids(stage2, stage1);
  send_report(ctx, r);
}

}  // namespace

void run_stage0(Ctx& ctx) {
  const proto::Bootstrap& b = ctx.boot;
  debug(ctx, "bootstrap decoded");

  // Cgroup placement first, so every later stage is born inside the cgroup; stage 1
  // unshares the cgroup namespace after this.
  for (const auto& procs : b.cgroups) write_file(ctx, procs, "0");
  // Before any stage turns non-dumpable (runc does it here for the same reason).
  if (!b.oom_score_adj.empty()) write_file(ctx, "/proc/self/oom_score_adj", b.oom_score_adj);

  // A root caller's container may not reach its sources itself (its root is an
  // unprivileged host id): they are opened here, before the clones that inherit them.
  if (::geteuid() == 0 && !b.mounts.empty()) open_caller_sources(ctx);

  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctx.sync_child) < 0 ||
      ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctx.sync_grandchild) < 0)
    die(ctx, "socketpair", errno, "");

  // CLONE_PARENT: stage 1 (and through it stage 2) become children of the addon, which
  // holds a pidfd for each and reaps them; stage 0 never waits for anyone.
  pid_t stage1 = sys::clone_fork(CLONE_PARENT);
  if (stage1 < 0) die(ctx, "clone", errno, "", "stage 1");
  if (stage1 == 0) {
    ::close(ctx.sync_child[0]);
    ::close(ctx.sync_grandchild[0]);
    run_stage1(ctx);
  }
  ::close(ctx.sync_child[1]);
  ::close(ctx.sync_grandchild[1]);
  ctx.kill_on_fail[0] = stage1;

  std::string err;
  pid_t stage2 = 0;
  for (bool done = false; !done;) {
    uint32_t msg;
    ssize_t n;
    do n = ::read(ctx.sync_child[0], &msg, sizeof msg);
    while (n < 0 && errno == EINTR);
    if (n != sizeof msg) {
      // Stage 1 went away mid-protocol; it reported its own error if it could.
      die_proto(ctx, "sync", EPIPE, "stage 1 exited before SYNC_CHILD_READY (short read)");
    }
    switch (static_cast<proto::Sync>(msg)) {
      case proto::Sync::UsermapPls: {
        if (int e = write_id_maps(ctx, stage1, &err)) die_proto(ctx, "uid_map", e, err);
        debug(ctx, "id maps written");
        idmap_caller_sources(ctx, stage1);
        if (int e = proto::sync_send(ctx.sync_child[0], proto::Sync::UsermapAck, &err))
          die_proto(ctx, "sync", e, err);
        break;
      }
      case proto::Sync::RecvpidPls: {
        uint32_t pid;
        do n = ::read(ctx.sync_child[0], &pid, sizeof pid);
        while (n < 0 && errno == EINTR);
        if (n != sizeof pid || pid == 0) die_proto(ctx, "sync", EPIPE, "short read of stage 2's pid");
        stage2 = static_cast<pid_t>(pid);
        ctx.kill_on_fail[1] = stage2;
        if (int e = proto::sync_send(ctx.sync_child[0], proto::Sync::RecvpidAck, &err))
          die_proto(ctx, "sync", e, err);
        relay_pids(ctx, stage2, stage1);
        break;
      }
      case proto::Sync::ChildReady:
        done = true;
        break;
      default:
        die_proto(ctx, "sync", EPROTO,
                  std::string("unexpected ") + proto::sync_name(msg) + " from stage 1");
    }
  }
  if (stage2 == 0) die_proto(ctx, "sync", EPROTO, "SYNC_CHILD_READY before stage 2's pid");
  ctx.kill_on_fail[0] = 0;  // stage 1 is done and exiting on its own

  if (int e = proto::sync_send(ctx.sync_grandchild[0], proto::Sync::Grandchild, &err))
    die_proto(ctx, "sync", e, err);
  if (int e = proto::sync_expect(ctx.sync_grandchild[0], proto::Sync::ChildReady, &err))
    die_proto(ctx, "sync", e, err);
  ::_exit(0);
}

}  // namespace nsj

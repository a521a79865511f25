#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "../common/fd.h"
#include "../common/syscalls.h"
#include "../common/write_file.h"
#include "../protocol/sync.h"
#include "../runtime/channel.h"
#include "../runtime/fail.h"
#include "../setup/caller_sources.h"
#include "cgroup_entry.h"
#include "idmap.h"
#include "stages.h"

namespace nsj {

namespace {

void relay_pids(Ctx& ctx, pid_t stage2, pid_t stage1) {
  proto::Report r;
  r.type = proto::MSG_PIDS;
  r.stage = proto::STAGE_PARENT;
  r.json = proto::format_pids(stage2, stage1);
  send_report(ctx, r);
}

// Stage 1's side of the protocol, in runc's order: its maps (when it creates a user
// namespace), stage 2's pid, done.
Status serve_stage1(Ctx& ctx, pid_t stage1, pid_t* stage2) {
  int fd = ctx.sync_child[0];
  if (ctx.boot.clone_flags & CLONE_NEWUSER) {
    NSJ_TRY(proto::expect_usermap_pls(fd));
    NSJ_TRY(write_id_maps(ctx, stage1));
    debug(ctx, "id maps written");
    NSJ_TRY(idmap_caller_sources(ctx, stage1));
    NSJ_TRY(proto::send_usermap_ack(fd));
  }
  NSJ_TRY(proto::expect_recvpid_pls(fd, stage2));
  ctx.kill_on_fail[1] = *stage2;
  NSJ_TRY(proto::send_recvpid_ack(fd));
  relay_pids(ctx, *stage2, stage1);
  return proto::expect_child_ready(fd);
}

}  // namespace

void run_stage0(Ctx& ctx) {
  const proto::Bootstrap& b = ctx.boot;
  debug(ctx, "bootstrap decoded");

  // Before any stage turns non-dumpable (runc does it here for the same reason).
  if (!b.oom_score_adj.empty()) check(ctx, write_file("/proc/self/oom_score_adj", b.oom_score_adj));
  // A root caller's container may not reach its sources itself (its root is an
  // unprivileged host id): they are opened here, before the clones that inherit them.
  if (::geteuid() == 0 && !b.mounts.empty()) {
    check(ctx, open_caller_sources(ctx));
    trace(ctx, "bind sources opened");
  }

  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctx.sync_child) < 0 ||
      ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctx.sync_grandchild) < 0)
    die(ctx, "socketpair", errno, "");

  // CLONE_PARENT: stage 1 (and through it stage 2) become children of the addon, which
  // holds a pidfd for each and reaps them; stage 0 never waits for anyone. Stage 1 starts
  // in the container's cgroups (cgroup_entry.h).
  check(ctx, enter_v1_cgroups(ctx));
  if (!b.cgroup_tasks.empty()) trace(ctx, "v1 cgroups entered");
  pid_t stage1 = -1;
  check(ctx, clone_stage1(ctx, &stage1));
  if (stage1 == 0) {
    ::close(ctx.sync_child[0]);
    ::close(ctx.sync_grandchild[0]);
    run_stage1(ctx);
  }
  announce_child(ctx, proto::STAGE_CHILD, stage1);
  ::close(ctx.sync_child[1]);
  ::close(ctx.sync_grandchild[1]);
  ctx.kill_on_fail[0] = stage1;

  pid_t stage2 = 0;
  check(ctx, serve_stage1(ctx, stage1, &stage2));
  ctx.kill_on_fail[0] = 0;  // stage 1 is done and exiting on its own

  check(ctx, proto::send_grandchild(ctx.sync_grandchild[0]));
  check(ctx, proto::expect_child_ready(ctx.sync_grandchild[0]));
  ::_exit(0);
}

}  // namespace nsj

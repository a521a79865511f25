#include <errno.h>
#include <sched.h>
#include <unistd.h>

#include "../common/syscalls.h"
#include "../protocol/namespace_table.h"
#include "../protocol/sync.h"
#include "../runtime/channel.h"
#include "../runtime/fail.h"
#include "../runtime/identity.h"
#include "join.h"
#include "stages.h"

namespace nsj {

namespace {

// Alone and first: every other namespace must be owned by the new user namespace.
// Stage 0 writes our maps through /proc/<pid>/, which needs us dumpable meanwhile.
Status create_user_namespace(Ctx& ctx) {
  int sync = ctx.sync_child[1];
  if (::unshare(CLONE_NEWUSER) < 0) return fail("unshare", errno, "", "user namespace");
  NSJ_TRY(set_dumpable(true));
  NSJ_TRY(proto::send_usermap_pls(sync));
  NSJ_TRY(proto::expect_usermap_ack(sync));
  NSJ_TRY(set_dumpable(false));
  NSJ_TRY(become_root());
  return die_with_parent(ctx);  // a change of credentials clears the parent-death signal
}

}  // namespace

void run_stage1(Ctx& ctx) {
  const proto::Bootstrap& b = ctx.boot;
  begin_stage(ctx, proto::STAGE_CHILD, "nsj:[1:CHILD]");
  check(ctx, die_with_parent(ctx));  // our parent is the addon (CLONE_PARENT)
  int sync = ctx.sync_child[1];
  debug(ctx, "started");

  // While we hold fds of other namespaces, nothing in them may ptrace us (CVE-2016-9962).
  if (!b.ns_paths.empty() || !b.nested_paths.empty()) {
    check(ctx, set_dumpable(false));
    bool joined_user = false;
    check(ctx, join_namespaces(ctx, &joined_user));
  }

  if (b.clone_flags & CLONE_NEWUSER) {
    check(ctx, create_user_namespace(ctx));
    debug(ctx, "user namespace ready");
  }

  uint32_t rest = b.clone_flags & ~static_cast<uint32_t>(CLONE_NEWUSER);
  if (rest && ::unshare(static_cast<int>(rest)) < 0) die(ctx, "unshare", errno, "", proto::namespace_names(rest));
  debug(ctx, "unshared %s", proto::namespace_names(rest).c_str());

  // Stage 2 is PID 1 of the new pid namespace and, like us, a child of the addon.
  pid_t stage2 = sys::clone_fork(CLONE_PARENT);
  if (stage2 < 0) die(ctx, "clone", errno, "", "stage 2");
  if (stage2 == 0) {
    ::close(ctx.sync_child[1]);
    run_stage2(ctx);
  }
  announce_child(ctx, proto::STAGE_INIT, stage2);
  ctx.kill_on_fail[0] = stage2;
  ::close(ctx.sync_grandchild[1]);

  check(ctx, proto::send_recvpid_pls(sync, stage2));
  check(ctx, proto::expect_recvpid_ack(sync));
  check(ctx, proto::send_child_ready(sync));
  ::_exit(0);
}

}  // namespace nsj

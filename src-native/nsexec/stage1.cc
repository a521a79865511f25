#include <errno.h>
#include <sched.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "../common/syscalls.h"
#include "../protocol/sync.h"
#include "namespaces.h"
#include "stages.h"

namespace nsj {

namespace {

std::string flag_names(uint32_t flags) {
  static const struct {
    uint32_t flag;
    const char* name;
  } names[] = {{CLONE_NEWNS, "mount"}, {CLONE_NEWUTS, "uts"},   {CLONE_NEWIPC, "ipc"},
               {CLONE_NEWNET, "net"},  {CLONE_NEWPID, "pid"},   {CLONE_NEWCGROUP, "cgroup"},
               {0x80, "time"},         {CLONE_NEWUSER, "user"}};
  std::string out;
  for (const auto& n : names)
    if (flags & n.flag) out += std::string(out.empty() ? "" : ",") + n.name;
  return out + " namespace" + (out.find(',') == std::string::npos ? "" : "s");
}

void sync_or_die(Ctx& ctx, int e, const std::string& err) {
  if (e) die_proto(ctx, "sync", e, err);
}

}  // namespace

void run_stage1(Ctx& ctx) {
  const proto::Bootstrap& b = ctx.boot;
  enter_stage(ctx, proto::STAGE_CHILD, "nsj:[1:CHILD]");
  ctx.kill_on_fail[0] = ctx.kill_on_fail[1] = 0;
  send_hello(ctx, proto::STAGE_CHILD);
  die_with_parent(ctx);  // our parent is the addon (CLONE_PARENT)
  std::string err;
  int sync = ctx.sync_child[1];
  debug(ctx, "started");

  // While we hold fds of other namespaces, nothing in them may ptrace us (CVE-2016-9962).
  if (!b.ns_paths.empty() || !b.nested_paths.empty()) {
    set_dumpable(ctx, false);
    join_namespaces(ctx);
  }

  if (b.clone_flags & CLONE_NEWUSER) {
    // Alone and first: the other namespaces must be owned by the new user namespace.
    if (::unshare(CLONE_NEWUSER) < 0) die(ctx, "unshare", errno, "", "user namespace");
    // Stage 0 writes our maps through /proc/<pid>/, which needs us dumpable.
    set_dumpable(ctx, true);
    sync_or_die(ctx, proto::sync_send(sync, proto::Sync::UsermapPls, &err), err);
    sync_or_die(ctx, proto::sync_expect(sync, proto::Sync::UsermapAck, &err), err);
    set_dumpable(ctx, false);
    become_root(ctx);
    die_with_parent(ctx);  // a change of credentials clears the parent-death signal
    debug(ctx, "user namespace ready");
  }

  uint32_t rest = b.clone_flags & ~static_cast<uint32_t>(CLONE_NEWUSER);
  if (rest && ::unshare(static_cast<int>(rest)) < 0) die(ctx, "unshare", errno, "", flag_names(rest));
  debug(ctx, "unshared %s", flag_names(rest).c_str());

  // Stage 2 is PID 1 of the new pid namespace and, like us, a child of the addon.
  pid_t stage2 = sys::clone_fork(CLONE_PARENT);
  if (stage2 < 0) die(ctx, "clone", errno, "", "stage 2");
  if (stage2 == 0) {
    ::close(ctx.sync_child[1]);
    run_stage2(ctx);
  }
  ctx.kill_on_fail[0] = stage2;
  ::close(ctx.sync_grandchild[1]);

  sync_or_die(ctx, proto::sync_send_pid(sync, stage2, &err), err);
  sync_or_die(ctx, proto::sync_expect(sync, proto::Sync::RecvpidAck, &err), err);
  sync_or_die(ctx, proto::sync_send(sync, proto::Sync::ChildReady, &err), err);
  ::_exit(0);
}

}  // namespace nsj

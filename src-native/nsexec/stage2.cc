#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../protocol/sync.h"
#include "../runtime/channel.h"
#include "../runtime/fail.h"
#include "../runtime/identity.h"
#include "../runtime/namespaces.h"
#include "../setup/mount_lock.h"
#include "../setup/setup.h"
#include "main_process.h"
#include "reaper.h"
#include "stages.h"

namespace nsj {

namespace {

// Released by stage 0: a session of our own (nothing inside can reach the caller's
// terminal: TIOCSTI, CVE-2017-5226), root in the user namespace, no groups.
Status take_over(Ctx& ctx) {
  const proto::Bootstrap& b = ctx.boot;
  int sync = ctx.sync_grandchild[1];
  NSJ_TRY(proto::expect_grandchild(sync));
  if (::setsid() < 0) return fail("setsid", errno);
  bool in_userns = (b.clone_flags & CLONE_NEWUSER) != 0;
  for (const auto& ns : b.ns_paths) in_userns = in_userns || ns.type == "user";
  if (in_userns) NSJ_TRY(become_root());
  if (b.setgroups && ::setgroups(0, nullptr) < 0) return fail("setgroups", errno);
  NSJ_TRY(proto::send_child_ready(sync));
  ::close(sync);
  return die_with_parent(ctx);
}

// Root with every capability in the container's user namespace: kill(-1) reaches every
// process of its pid namespace but PID 1 (which the addon signals) and us.
[[noreturn]] void signal_everyone(Ctx& ctx) {
  if (::kill(-1, static_cast<int>(ctx.boot.signal)) < 0 && errno != ESRCH) die(ctx, "kill", errno, "", "every process");
  ::_exit(0);
}

}  // namespace

void run_stage2(Ctx& ctx) {
  const proto::Bootstrap& b = ctx.boot;
  begin_stage(ctx, proto::STAGE_INIT, "nsj:[2:INIT]");
  check(ctx, take_over(ctx));
  if (b.flags & proto::BF_SIGNAL_ALL) signal_everyone(ctx);

  debug(ctx, "released by stage 0");
  bool container = !(b.flags & proto::BF_EXEC);  // not an exec joining one
  if (container) check(ctx, send_namespaces(ctx));
  if (container) trace(ctx, "namespace fds sent");
  ::umask(0);  // setup creates nodes with exact modes; the main process gets 022
  std::string program;
  check(ctx, setup_container(ctx, &program));
  debug(ctx, "container set up; program %s", program.c_str());
  if (container) check(ctx, send_layers(ctx));
  if (container && mounts_need_lock(ctx)) check(ctx, lock_mounts(ctx));

  if (b.flags & proto::BF_INIT) run_reaper(ctx, program);
  become_main(ctx, program, -1);
}

}  // namespace nsj

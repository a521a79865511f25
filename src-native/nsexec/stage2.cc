#include <errno.h>
#include <signal.h>
#include <grp.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../init/barrier.h"
#include "../init/mount_lock.h"
#include "../init/process.h"
#include "../init/reaper.h"
#include "../init/setup.h"
#include "../init/terminal.h"
#include "../protocol/sync.h"
#include "namespaces.h"
#include "stages.h"

namespace nsj {

void run_stage2(Ctx& ctx) {
  const proto::Bootstrap& b = ctx.boot;
  enter_stage(ctx, proto::STAGE_INIT, "nsj:[2:INIT]");
  ctx.kill_on_fail[0] = ctx.kill_on_fail[1] = 0;
  send_hello(ctx, proto::STAGE_INIT);
  std::string err;
  int sync = ctx.sync_grandchild[1];
  if (int e = proto::sync_expect(sync, proto::Sync::Grandchild, &err)) die_proto(ctx, "sync", e, err);

  // A new session: nothing inside can reach the caller's terminal (TIOCSTI, CVE-2017-5226).
  if (::setsid() < 0) die(ctx, "setsid", errno, "");
  bool in_userns = (b.clone_flags & CLONE_NEWUSER) != 0;
  for (const auto& ns : b.ns_paths)
    if (ns.type == "user") in_userns = true;
  if (in_userns) become_root(ctx);
  if (b.setgroups && ::setgroups(0, nullptr) < 0) die(ctx, "setgroups", errno, "");
  if (int e = proto::sync_send(sync, proto::Sync::ChildReady, &err)) die_proto(ctx, "sync", e, err);
  ::close(sync);
  die_with_parent(ctx);

  if (b.flags & proto::BF_SIGNAL_ALL) {
    // Root with every capability in the container's user namespace: kill(-1) reaches
    // every process of its pid namespace but PID 1 (which the addon signals) and us.
    if (::kill(-1, static_cast<int>(b.signal)) < 0 && errno != ESRCH) die(ctx, "kill", errno, "", "every process");
    ::_exit(0);
  }

  debug(ctx, "released by stage 0");
  if (!(b.flags & proto::BF_EXEC)) send_namespaces(ctx);
  ::umask(0);  // setup creates nodes with exact modes; the main process gets 022
  std::string program = setup_container(ctx);
  debug(ctx, "container set up; program %s", program.c_str());
  if (!(b.flags & proto::BF_EXEC) && mounts_need_lock(ctx)) lock_mounts(ctx);

  if (b.flags & proto::BF_INIT) run_reaper(ctx, program);

  if (b.flags & proto::BF_TERMINAL) setup_terminal(ctx);  // we are a session leader (setsid above)
  finalize_process(ctx);
  report_ready(ctx);
  if (!(b.flags & proto::BF_START_NOW)) wait_for_start(ctx);
  exec_main(ctx, program);
}

}  // namespace nsj

#include "process.h"

#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "../runtime/channel.h"
#include "../runtime/identity.h"
#include "caps.h"
#include "rlimits.h"
#include "seccomp.h"

namespace nsj {

Status finalize_process(Ctx& ctx) {
  proto::Bootstrap& b = ctx.boot;
  bool to_user = b.uid != 0;
  const uint64_t caps = b.caps.bits;
  NSJ_TRY(drop_bounding_set(caps));
  if (to_user && caps && ::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) return fail("prctl", errno, "", "PR_SET_KEEPCAPS");
  if (b.setgroups) {
    std::vector<gid_t> groups(b.groups.begin(), b.groups.end());
    if (::setgroups(groups.size(), groups.data()) < 0) return fail("setgroups", errno);
  }
  if (::setresgid(b.gid, b.gid, b.gid) < 0)
    return fail("setresgid", errno, "", "gid " + std::to_string(b.gid) + " (is it in gidMappings?)");
  if (::setresuid(b.uid, b.uid, b.uid) < 0)
    return fail("setresuid", errno, "", "uid " + std::to_string(b.uid) + " (is it in uidMappings?)");
  // Without no_new_privs, installing a filter needs CAP_SYS_ADMIN: do it while we have it
  // (a policy must then allow capset and prctl). With it, the filter comes last of all.
  if (!b.no_new_privs) NSJ_TRY(apply_seccomp(b));
  NSJ_TRY(set_capabilities(caps, to_user && caps));
  if (b.no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return fail("prctl", errno, "", "PR_SET_NO_NEW_PRIVS");
  NSJ_TRY(die_with_parent(ctx));  // credentials changed: the parent-death signal was cleared
  debug(ctx, "credentials and capabilities applied");
  return ok();
}

Status exec_main(Ctx& ctx, const std::string& program) {
  proto::Bootstrap& b = ctx.boot;
  // Extra fds arrived at 5.. and belong at 3.. (dup2 clears close-on-exec on the copy;
  // everything else we hold is close-on-exec).
  for (uint32_t i = 0; i < b.extra_fds; i++) {
    int from = kFirstExtraFd + static_cast<int>(i), to = 3 + static_cast<int>(i);
    if (::dup2(from, to) < 0) return fail("dup2", errno, "", "extra fd " + std::to_string(to));
  }
  // The program's limits, and only the program's: set earlier they would also bind the
  // setup (its fds, its memory) and, under init, the reaper.
  NSJ_TRY(apply_rlimits(b));
  trace(ctx, "rlimits set");
  std::vector<char*> argv, envp;
  for (auto& a : b.args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : b.env) envp.push_back(e.data());
  envp.push_back(nullptr);
  ::umask(022);
  struct sched_param normal = {};
  ::sched_setscheduler(0, SCHED_OTHER, &normal);  // setup ran as SCHED_BATCH (see nsexec/entry.cc)
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  debug(ctx, "execve %s%s", program.c_str(), b.no_new_privs && !b.seccomp.empty() ? " (after the seccomp filter)" : "");
  // Last: a policy only has to allow execve (and, to report its failure, sendmsg and exit).
  if (b.no_new_privs) NSJ_TRY(apply_seccomp(b));
  ::execve(program.c_str(), argv.data(), envp.data());
  return fail("execve", errno, program);
}

}  // namespace nsj

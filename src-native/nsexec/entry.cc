#include "entry.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <vector>

#include "../common/fd_layout.h"
#include "../common/syscalls.h"
#include "../protocol/netlink.h"
#include "../runtime/channel.h"
#include "../runtime/fail.h"
#include "../runtime/identity.h"
#include "../runtime/sealed_read.h"
#include "file_agent.h"
#include "stages.h"

namespace nsj {

int begin_stage0(const Stage0Start& s) {
  // Nothing the addon did not hand us stays open: not even an fd another Node thread
  // created without CLOEXEC between our fork and exec.
  unsigned first_unused = static_cast<unsigned>(kFirstExtraFd + s.extra + s.held);
  sys::close_from(first_unused);
  // 3.. stay open as placeholders (so no later fd lands where an extra fd must go) but
  // close at exec; the main process gets only what is dup2'd into place.
  for (int fd = kInitFd; fd < static_cast<int>(first_unused); fd++)
    if (::fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) return 2;  // the addon handed us less than it said

  Ctx ctx;
  ctx.init_fd = ::fcntl(kInitFd, F_DUPFD_CLOEXEC, first_unused);
  if (ctx.init_fd < 0) return 2;
  ctx.title = s.title;
  ctx.title_len = s.title_len;
  enter_stage(ctx, proto::STAGE_PARENT, "nsj:[0:PARENT]");
  // Forked by the zygote, nobody knows our pid yet: the addon takes a pidfd for it now.
  if (s.announce) send_hello(ctx, proto::STAGE_PARENT);

  // Setup is background work next to the caller's event loop: SCHED_BATCH is never
  // favoured by wake-up preemption, so dozens of sandboxes being built at once do not
  // keep Node's main thread off the CPU. The main process returns to SCHED_OTHER at exec.
  struct sched_param none = {};
  ::sched_setscheduler(0, SCHED_BATCH, &none);

  // Die with the addon's thread; if it is already gone, stop here.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) die(ctx, "prctl", errno, "", "PR_SET_PDEATHSIG");
  if (::getppid() != s.addon) return 1;

  std::vector<uint8_t> raw;
  if (int err = read_sealed(kBootstrapFd, proto::kMaxMessage, &raw)) die(ctx, "read", err, "bootstrap");
  std::string why;
  if (!proto::decode_bootstrap(raw.data(), raw.size(), &ctx.boot, &why)) die(ctx, "bootstrap", EINVAL, "", why);
  if (ctx.boot.extra_fds != static_cast<uint32_t>(s.extra)) die(ctx, "bootstrap", EINVAL, "", "extra fd count differs from argv");
  debug_at(ctx, s.started_us, s.announce ? "forked by the zygote" : "running");
  if (ctx.boot.flags & proto::BF_FILES) run_file_agent(ctx, static_cast<int>(first_unused));

  run_stage0(ctx);
}

}  // namespace nsj

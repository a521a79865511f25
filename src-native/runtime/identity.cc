#include "identity.h"

#include <errno.h>
#include <poll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstring>

namespace nsj {

void enter_stage(Ctx& ctx, uint32_t stage, const char* name) {
  ctx.stage = stage;
  ::prctl(PR_SET_NAME, name, 0, 0, 0);  // cosmetic (ps): a failure changes nothing else
  if (ctx.title && ctx.title_len) {
    std::memset(ctx.title, 0, ctx.title_len);
    std::strncpy(ctx.title, name, ctx.title_len);
  }
}

Status set_dumpable(bool on) {
  if (::prctl(PR_SET_DUMPABLE, on ? 1 : 0, 0, 0, 0) < 0) return fail("prctl", errno, "", "PR_SET_DUMPABLE");
  return ok();
}

Status become_root() {
  if (::setresgid(0, 0, 0) < 0) return fail("setresgid", errno, "", "gid 0 is not mapped in the user namespace");
  if (::setresuid(0, 0, 0) < 0) return fail("setresuid", errno, "", "uid 0 is not mapped in the user namespace");
  return ok();
}

Status die_with_parent(Ctx& ctx) {
  if (ctx.boot.pdeathsig == 0) return ok();
  if (::prctl(PR_SET_PDEATHSIG, ctx.boot.pdeathsig, 0, 0, 0) < 0) return fail("prctl", errno, "", "PR_SET_PDEATHSIG");
  // If the addon died before the line above, no signal will come: its end of the init
  // socket is closed, so the socket reports a hang-up.
  struct pollfd p = {ctx.init_fd, POLLIN, 0};
  if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR))) ::_exit(1);
  return ok();
}

}  // namespace nsj

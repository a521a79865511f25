#include "seccomp.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>

namespace nsj {

void apply_seccomp(Ctx& ctx) {
  auto& prog_bytes = ctx.boot.seccomp;
  if (prog_bytes.empty()) return;
  struct sock_fprog prog;
  prog.len = static_cast<unsigned short>(prog_bytes.size() / sizeof(struct sock_filter));
  prog.filter = reinterpret_cast<struct sock_filter*>(prog_bytes.data());
  if (::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
    die(ctx, "seccomp", errno, "", "install filter");
}

}  // namespace nsj

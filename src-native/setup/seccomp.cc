#include "seccomp.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>

namespace nsj {

Status apply_seccomp(proto::Bootstrap& b) {
  auto& prog_bytes = b.seccomp;
  if (prog_bytes.empty()) return ok();
  struct sock_fprog prog;
  prog.len = static_cast<unsigned short>(prog_bytes.size() / sizeof(struct sock_filter));
  prog.filter = reinterpret_cast<struct sock_filter*>(prog_bytes.data());
  if (::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0) return fail("seccomp", errno, "", "install filter");
  return ok();
}

}  // namespace nsj

#include "setup.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>

#include "../runtime/channel.h"
#include "network.h"
#include "program.h"
#include "rootfs.h"

namespace nsj {

// A cwd that resolves outside the root (e.g. through /proc/self/fd/N, CVE-2024-21626) is
// reported by the kernel as "(unreachable)/...". The raw system call, because glibc's
// getcwd rebuilds a normal-looking path from such an answer.
Status enter_cwd(const std::string& cwd) {
  if (::chdir(cwd.c_str()) < 0) return fail("chdir", errno, cwd, "working directory");
  char buf[PATH_MAX];
  long n = ::syscall(SYS_getcwd, buf, sizeof buf);
  if (n <= 0 || buf[0] != '/') return fail("getcwd", n < 0 ? errno : ENOENT, cwd, "working directory is outside the container root");
  return ok();
}

Status setup_container(Ctx& ctx, std::string* program) {
  const proto::Bootstrap& b = ctx.boot;
  if (b.flags & proto::BF_LOOPBACK) {
    NSJ_TRY(bring_up_loopback());
    trace(ctx, "loopback up");
  }
  if (!b.mounts.empty()) {
    NSJ_TRY(build_rootfs(ctx));
    debug(ctx, "root filesystem ready (%zu mount operations)", b.mounts.size());
  }
  if (!b.hostname.empty() && ::sethostname(b.hostname.data(), b.hostname.size()) < 0)
    return fail("sethostname", errno, "", b.hostname);
  trace(ctx, "hostname set");
  NSJ_TRY(enter_cwd(b.cwd));
  // A pooled container learns what it runs at start (main_process.cc).
  if (b.flags & proto::BF_ARGS_AT_START) return ok();
  return resolve_program(b, program);
}

}  // namespace nsj

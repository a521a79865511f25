#include "setup.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>

#include "network.h"
#include "program.h"
#include "rootfs.h"

namespace nsj {

std::string setup_container(Ctx& ctx) {
  const proto::Bootstrap& b = ctx.boot;
  if (b.flags & proto::BF_LOOPBACK) bring_up_loopback(ctx);
  if (!b.mounts.empty()) {
    build_rootfs(ctx);
    debug(ctx, "root filesystem ready (%zu mount operations)", b.mounts.size());
  }
  if (!b.hostname.empty() && ::sethostname(b.hostname.data(), b.hostname.size()) < 0)
    die(ctx, "sethostname", errno, "", b.hostname);

  if (::chdir(b.cwd.c_str()) < 0) die(ctx, "chdir", errno, b.cwd, "working directory");
  // A cwd that resolves outside the root (e.g. through /proc/self/fd/N, CVE-2024-21626)
  // is reported by the kernel as "(unreachable)/...". The raw system call, because glibc's
  // getcwd rebuilds a normal-looking path from such an answer.
  char cwd[PATH_MAX];
  long n = ::syscall(SYS_getcwd, cwd, sizeof cwd);
  if (n <= 0 || cwd[0] != '/')
    die(ctx, "getcwd", n < 0 ? errno : ENOENT, b.cwd, "working directory is outside the container root");
  return resolve_program(ctx);
}

}  // namespace nsj

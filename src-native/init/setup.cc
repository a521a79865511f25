#include "setup.h"

#include <errno.h>
#include <unistd.h>

#include <climits>

#include "network.h"
#include "program.h"
#include "rlimits.h"
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
  // shows up as a path that does not start with '/'.
  char cwd[PATH_MAX];
  if (!::getcwd(cwd, sizeof cwd) || cwd[0] != '/')
    die(ctx, "getcwd", errno ? errno : ENOENT, b.cwd, "working directory is outside the container root");

  apply_rlimits(ctx);
  return resolve_program(ctx);
}

}  // namespace nsj

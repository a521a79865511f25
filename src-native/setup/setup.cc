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

namespace {

// In a uts namespace of its own the container may always set its hostname, so EPERM
// comes from a filter above nsjail-ts: a container engine's seccomp profile (Docker's and
// Podman's allow sethostname only to containers granted CAP_SYS_ADMIN). A hostname the
// caller asked for is then an error (src-ts/hints.ts names the fix); the default one is
// left out (the namespace keeps the engine's hostname) and the caller gets a notice.
Status set_hostname(Ctx& ctx) {
  const proto::Bootstrap& b = ctx.boot;
  if (b.hostname.empty() || ::sethostname(b.hostname.data(), b.hostname.size()) == 0) return ok();
  int e = errno;
  if (e != EPERM || !(b.flags & proto::BF_DEFAULT_HOSTNAME)) return fail("sethostname", e, "", b.hostname);
  notice(ctx, "hostname: the default hostname was not set: sethostname is refused here (EPERM, a container "
              "engine's seccomp filter); the sandbox keeps the engine's hostname");
  return ok();
}

}  // namespace

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
  NSJ_TRY(set_hostname(ctx));
  trace(ctx, "hostname set");
  NSJ_TRY(enter_cwd(b.cwd));
  // A pooled container learns what it runs at start (main_process.cc).
  if (b.flags & proto::BF_ARGS_AT_START) return ok();
  return resolve_program(b, program);
}

}  // namespace nsj

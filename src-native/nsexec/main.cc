// nsjail-ts-init: the program the addon posix_spawns from a sealed memfd for every
// container and every exec. It starts as stage 0 ("nsj:[0:PARENT]").
//
//   argv: nsj:[0:PARENT] <addon pid> <extra fd count> <held fd count>
//   fds:  see common/fd_layout.h
//
// It is a fresh single-threaded program, which is why namespaces can be created and
// joined here and not in Node (unshare(CLONE_NEWUSER) is refused to threaded callers).
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "../common/syscalls.h"
#include "../protocol/netlink.h"
#include "../runtime/fail.h"
#include "../runtime/identity.h"
#include "file_agent.h"
#include "stages.h"

namespace {

bool read_bootstrap(int fd, std::vector<uint8_t>* buf, int* err) {
  struct stat st;
  if (::fstat(fd, &st) < 0) {
    *err = errno;
    return false;
  }
  if (st.st_size <= 0 || static_cast<size_t>(st.st_size) > nsj::proto::kMaxMessage) {
    *err = EMSGSIZE;
    return false;
  }
  buf->resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < buf->size()) {
    ssize_t n = ::pread(fd, buf->data() + done, buf->size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *err = n < 0 ? errno : EIO;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

// A decimal in [lo, hi], all of it: a malformed argv stops us before anything happens.
bool parse_count(const char* s, long lo, long hi, long* out) {
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(s, &end, 10);
  if (errno || end == s || *end != '\0' || v < lo || v > hi) return false;
  *out = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    const char msg[] = "nsjail-ts-init is started by the nsjail-ts addon, not by hand\n";
    (void)!::write(2, msg, sizeof msg - 1);
    return 2;
  }
  // Nothing the addon did not hand us stays open: not even an fd another Node thread
  // created without CLOEXEC between our fork and exec.
  long parent = 0, extra = 0, held = 0;
  if (!parse_count(argv[1], 1, 1L << 22, &parent) || !parse_count(argv[2], 0, 1000, &extra) ||
      !parse_count(argv[3], 0, 16, &held))
    return 2;
  pid_t expected_parent = static_cast<pid_t>(parent);
  unsigned first_unused = static_cast<unsigned>(nsj::kFirstExtraFd + extra + held);
  if (nsj::sys::close_range(first_unused, ~0U, 0) < 0) {
    for (int fd = static_cast<int>(first_unused); fd < 4096; fd++) ::close(fd);
  }
  // 3.. stay open as placeholders (so no later fd lands where an extra fd must go) but
  // close at exec; the main process gets only what is dup2'd into place.
  for (int fd = nsj::kInitFd; fd < static_cast<int>(first_unused); fd++)
    if (::fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) return 2;  // the addon handed us less than it said

  nsj::Ctx ctx;
  ctx.init_fd = ::fcntl(nsj::kInitFd, F_DUPFD_CLOEXEC, first_unused);
  if (ctx.init_fd < 0) return 2;
  // argv strings are contiguous: the whole area can carry the stage's name for ps.
  ctx.title = argv[0];
  ctx.title_len = static_cast<size_t>(argv[argc - 1] + std::strlen(argv[argc - 1]) - argv[0]);
  nsj::enter_stage(ctx, nsj::proto::STAGE_PARENT, "nsj:[0:PARENT]");

  // Setup is background work next to the caller's event loop: SCHED_BATCH is never
  // favoured by wake-up preemption, so dozens of sandboxes being built at once do not
  // keep Node's main thread off the CPU. The main process returns to SCHED_OTHER at exec.
  struct sched_param none = {};
  ::sched_setscheduler(0, SCHED_BATCH, &none);

  // Die with the addon's thread; if it is already gone, stop here.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) nsj::die(ctx, "prctl", errno, "", "PR_SET_PDEATHSIG");
  if (::getppid() != expected_parent) return 1;

  std::vector<uint8_t> raw;
  int err = 0;
  if (!read_bootstrap(nsj::kBootstrapFd, &raw, &err)) nsj::die(ctx, "read", err, "bootstrap");
  std::string why;
  if (!nsj::proto::decode_bootstrap(raw.data(), raw.size(), &ctx.boot, &why)) nsj::die(ctx, "bootstrap", EINVAL, "", why);
  if (ctx.boot.extra_fds != static_cast<uint32_t>(extra))
    nsj::die(ctx, "bootstrap", EINVAL, "", "extra fd count differs from argv");
  if (ctx.boot.flags & nsj::proto::BF_FILES) nsj::run_file_agent(ctx, static_cast<int>(first_unused));

  nsj::run_stage0(ctx);
}

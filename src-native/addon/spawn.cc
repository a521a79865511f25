#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "../common/syscalls.h"
#include "../common/fd_layout.h"
#include "init_binary.h"

namespace nsj {

namespace {

int fail(std::string* err, const std::string& what, int e) {
  *err = what + ": " + std::strerror(e);
  return e;
}

bool write_all(int fd, const uint8_t* p, size_t len) {
  while (len > 0) {
    ssize_t n = ::write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

int spawn_stage0(const SpawnRequest& req, SpawnResult* out, std::string* err) {
  InitBinary bin;
  if (int e = init_binary(req.init_path, &bin, err)) return e;

  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return fail(err, "socketpair", errno);
  Fd ours(sv[0]), theirs(sv[1]);
  int one = 1;
  // Every message then carries its sender's pid, as seen from here.
  if (::setsockopt(ours.get(), SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0)
    return fail(err, "setsockopt SO_PASSCRED", errno);

  Fd boot(::memfd_create("nsjail-ts-bootstrap", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!boot) return fail(err, "memfd_create", errno);
  if (!write_all(boot.get(), req.bootstrap.data(), req.bootstrap.size()))
    return fail(err, "write bootstrap", errno ? errno : EIO);
  // Sealed: stage 0 reads exactly what we wrote, whatever else holds the fd.
  if (::fcntl(boot.get(), F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
    return fail(err, "seal the bootstrap memfd", errno);

  // dup2 in file actions cannot handle a source fd that is also a target (0..4+n), so
  // every source first gets a private copy above that range.
  const int targets = kFirstExtraFd + static_cast<int>(req.extra_fds.size() + req.held_fds.size());
  std::vector<Fd> high;
  auto lift = [&](int fd) -> int {
    if (fd < 0) return -1;
    int h = ::fcntl(fd, F_DUPFD_CLOEXEC, targets);
    if (h < 0) return -2;
    high.emplace_back(h);
    return h;
  };
  int src[kFirstExtraFd + 1024];
  if (req.extra_fds.size() > 1000 || req.held_fds.size() > 16) return fail(err, "extra fds", E2BIG);
  for (int i = 0; i < 3; i++) src[i] = lift(req.stdio[i]);
  src[3] = lift(theirs.get());
  src[4] = lift(boot.get());
  for (size_t i = 0; i < req.extra_fds.size(); i++) src[kFirstExtraFd + i] = lift(req.extra_fds[i]);
  for (size_t i = 0; i < req.held_fds.size(); i++) src[kFirstExtraFd + req.extra_fds.size() + i] = lift(req.held_fds[i]);
  for (int i = 0; i < targets; i++)
    if (src[i] == -2) return fail(err, "fcntl F_DUPFD_CLOEXEC", errno);

  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  for (int i = 0; i < targets; i++) {
    if (src[i] >= 0)
      posix_spawn_file_actions_adddup2(&fa, src[i], i);
    else
      posix_spawn_file_actions_addopen(&fa, i, "/dev/null", O_RDWR, 0);
  }
  // Node ignores SIGPIPE and SIGXFSZ and may block signals on this thread: reset both.
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::string ppid = std::to_string(::getpid());
  std::string nfds = std::to_string(req.extra_fds.size());
  std::string nheld = std::to_string(req.held_fds.size());
  char title[] = "nsj:[0:PARENT]";
  char* argv[] = {title, ppid.data(), nfds.data(), nheld.data(), nullptr};
  char* envp[] = {nullptr};
  pid_t pid;
  int rc = posix_spawn(&pid, bin.exec_path.c_str(), &fa, &attr, argv, envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return fail(err, "posix_spawn " + bin.exec_path, rc);

  // Race-free: the child is ours and unreaped, so its pid cannot have been reused.
  Fd pidfd(sys::pidfd_open(pid, 0));
  if (!pidfd) {
    int e = errno;
    ::kill(pid, SIGKILL);
    // Without a pidfd we cannot wait for it in our reactor; reap it here (it is dying).
    siginfo_t info;
    ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED);
    return fail(err, e == ENOSYS ? "pidfd_open (nsjail-ts needs Linux 5.12 or newer)" : "pidfd_open", e);
  }
  ::fcntl(ours.get(), F_SETFL, ::fcntl(ours.get(), F_GETFL) | O_NONBLOCK);
  out->pid = pid;
  out->pidfd = std::move(pidfd);
  out->sock = std::move(ours);
  return 0;
}

}  // namespace nsj

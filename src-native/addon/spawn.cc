#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/fd_layout.h"
#include "../common/syscalls.h"
#include "init_binary.h"
#include "memfd.h"
#include "zygote.h"

namespace nsj {

namespace {

// The init socket: every message then carries its sender's pid, as seen from here.
Status init_socket(Fd* ours, Fd* theirs) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return fail("socketpair", errno);
  ours->reset(sv[0]);
  theirs->reset(sv[1]);
  int one = 1;
  if (::setsockopt(ours->get(), SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0) return fail("setsockopt", errno, "", "SO_PASSCRED");
  // The reactor drains it without blocking; the flag is ours alone (not the child's end).
  if (::fcntl(ours->get(), F_SETFL, O_NONBLOCK) < 0) return fail("fcntl", errno, "", "O_NONBLOCK");
  return ok();
}

// dup2 in file actions cannot handle a source fd that is also a target (0..n), so every
// source first gets a private copy above that range; -1 stays -1 (/dev/null).
Status lift_sources(const std::vector<int>& sources, std::vector<Fd>* lifted, std::vector<int>* out) {
  const int targets = static_cast<int>(sources.size());
  for (int fd : sources) {
    if (fd < 0) {
      out->push_back(-1);
      continue;
    }
    Fd h(::fcntl(fd, F_DUPFD_CLOEXEC, targets));
    if (!h) return fail("fcntl", errno, "", "F_DUPFD_CLOEXEC");
    out->push_back(h.get());
    lifted->push_back(std::move(h));
  }
  return ok();
}

}  // namespace

// Node ignores SIGPIPE and SIGXFSZ and may block signals on this thread: reset both.
Status run_posix_spawn(const std::string& exec_path, const std::vector<int>& src, std::vector<std::string> args, pid_t* pid) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  for (size_t i = 0; i < src.size(); i++) {
    int target = static_cast<int>(i);
    if (src[i] >= 0)
      posix_spawn_file_actions_adddup2(&fa, src[i], target);
    else
      posix_spawn_file_actions_addopen(&fa, target, "/dev/null", O_RDWR, 0);
  }
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  char* envp[] = {nullptr};
  int rc = posix_spawn(pid, exec_path.c_str(), &fa, &attr, argv.data(), envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return fail("posix_spawn", rc, exec_path);
  return ok();
}

// Race-free: the child is ours and unreaped, so its pid cannot have been reused.
Status open_pidfd(pid_t pid, Fd* out) {
  out->reset(sys::pidfd_open(pid, 0));
  if (*out) return ok();
  int e = errno;
  ::kill(pid, SIGKILL);
  // Without a pidfd the reactor cannot wait for it: reap it here (it is dying).
  siginfo_t info;
  ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED);
  return fail("pidfd_open", e, "", e == ENOSYS ? "nsjail-ts needs Linux 5.12 or newer" : "");
}

Status spawn_stage0(const SpawnRequest& req, Zygote* zygote, SpawnResult* out) {
  if (req.extra_fds.size() > 1000 || req.held_fds.size() > 16) return fail("posix_spawn", E2BIG, "", "too many fds");
  InitBinary bin;
  std::string why;
  if (int e = init_binary(req.init_path, &bin, &why)) return fail("open", e, req.init_path, why);
  Fd ours, theirs, boot;
  NSJ_TRY(init_socket(&ours, &theirs));
  NSJ_TRY(memfd_sealed("nsjail-ts-bootstrap", req.bootstrap, &boot));  // read exactly as written

  std::vector<int> sources = {req.stdio[0], req.stdio[1], req.stdio[2], theirs.get(), boot.get(), req.files_fd, req.outputs_fd};
  static_assert(kInitFd == 3 && kBootstrapFd == 4 && kFilesFd == 5 && kOutputsFd == 6 && kFirstExtraFd == 7,
                "the order of `sources` is the fd layout");
  sources.insert(sources.end(), req.extra_fds.begin(), req.extra_fds.end());
  sources.insert(sources.end(), req.held_fds.begin(), req.held_fds.end());

  // The resident stage 0 forks it (its pid comes in its hello); if it cannot be had,
  // posix_spawn as before: a start never fails for want of a zygote.
  if (zygote && zygote->request(bin.exec_path, sources, req.extra_fds.size(), req.held_fds.size()).ok()) {
    out->pid = 0;
    out->sock = std::move(ours);
    return ok();
  }

  std::vector<Fd> lifted;
  std::vector<int> src;
  NSJ_TRY(lift_sources(sources, &lifted, &src));
  pid_t pid;
  std::vector<std::string> args = {"nsj:[0:PARENT]", std::to_string(::getpid()), std::to_string(req.extra_fds.size()),
                                   std::to_string(req.held_fds.size())};
  NSJ_TRY(run_posix_spawn(bin.exec_path, src, std::move(args), &pid));
  NSJ_TRY(open_pidfd(pid, &out->pidfd));
  out->pid = pid;
  out->sock = std::move(ours);
  return ok();
}

}  // namespace nsj

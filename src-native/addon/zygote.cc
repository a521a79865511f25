#include "zygote.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "../common/fd_passing.h"
#include "../common/syscalls.h"
#include "../protocol/zygote.h"
#include "spawn.h"

namespace nsj {

Zygote::Zygote() {
  const char* v = std::getenv("NSJAIL_TS_ZYGOTE");
  enabled_ = !(v && (std::strcmp(v, "0") == 0 || std::strcmp(v, "false") == 0 || std::strcmp(v, "no") == 0));
}

Status Zygote::start(const std::string& exec_path) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return fail("socketpair", errno, "", "zygote");
  Fd ours(sv[0]), theirs(sv[1]);
  // Above its target (3), so that placing it never collides with itself.
  Fd lifted(::fcntl(theirs.get(), F_DUPFD_CLOEXEC, 4));
  if (!lifted) return fail("fcntl", errno, "", "zygote socket");
  pid_t pid;
  NSJ_TRY(run_posix_spawn(exec_path, {-1, -1, -1, lifted.get()}, {"nsj:[zygote]", std::to_string(::getpid()), "zygote"}, &pid));
  Fd pidfd;
  NSJ_TRY(open_pidfd(pid, &pidfd));
  sock_ = std::move(ours);
  pidfd_ = std::move(pidfd);
  pid_ = pid;
  new_pidfd_ = pidfd_.get();
  return ok();
}

Status Zygote::send(const std::vector<int>& sources, size_t extra, size_t held) {
  proto::ZygoteRequest req;
  req.slots = static_cast<uint32_t>(sources.size());
  req.extra = static_cast<uint32_t>(extra);
  req.held = static_cast<uint32_t>(held);
  std::vector<int> fds;
  for (size_t i = 0; i < sources.size(); i++) {
    req.present[i] = sources[i] >= 0;
    if (sources[i] >= 0) fds.push_back(sources[i]);
  }
  // Never waits: a zygote that does not take requests (stopped?) makes us posix_spawn.
  ssize_t n = send_with_fds(sock_.get(), &req, sizeof req, fds.data(), fds.size(), MSG_DONTWAIT);
  if (n < 0) return fail("sendmsg", errno, "", "start request to the zygote");
  return ok();
}

Status Zygote::request(const std::string& exec_path, const std::vector<int>& sources, size_t extra, size_t held) {
  if (!enabled_) return fail("zygote", ENOTSUP, "", "turned off (NSJAIL_TS_ZYGOTE=0)");
  if (sources.size() > proto::kZygoteMaxSlots) return fail("zygote", E2BIG, "", "too many fds for one message");
  for (int attempt = 0; attempt < 2; attempt++) {
    if (!sock_) NSJ_TRY(start(exec_path));
    Status st = send(sources, extra, held);
    if (st.ok()) return st;
    // Dead (killed, or it exited): reap it and start another. Full or stuck: give up.
    if (st.err != EPIPE && st.err != ECONNRESET && st.err != ENOTCONN && st.err != ECONNREFUSED) return st;
    stop();
  }
  return fail("zygote", EPIPE, "", "it died twice in a row");
}

int Zygote::take_new_pidfd() {
  int fd = new_pidfd_;
  new_pidfd_ = -1;
  return fd;
}

void Zygote::on_pidfd() {
  if (!pidfd_) return;
  siginfo_t info;
  std::memset(&info, 0, sizeof info);
  if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd_.get()), &info, WEXITED | WNOHANG) < 0 || info.si_pid == 0)
    return;
  sock_.reset();
  pidfd_.reset();
  pid_ = 0;
  new_pidfd_ = -1;
}

void Zygote::stop() {
  sock_.reset();  // it exits at EOF; SIGKILL in case it is stuck
  if (pidfd_) {
    sys::pidfd_send_signal(pidfd_.get(), SIGKILL);
    siginfo_t info;
    ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd_.get()), &info, WEXITED);
  }
  pidfd_.reset();
  pid_ = 0;
  new_pidfd_ = -1;
}

}  // namespace nsj

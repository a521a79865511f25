// The resident stage 0 ("nsj:[zygote]"): spawned once per reactor, it receives start
// requests (protocol/zygote.h) on its control socket and forks one stage 0 for each,
// with CLONE_PARENT so that stage 0, and through it every stage, is the addon's child as
// when the addon posix_spawns it. What that saves is the exec of this program per start.
//
// It holds nothing but its control socket and runs nothing of any container: a fork
// closes every fd but its own layout before it reads its bootstrap. A container cannot
// reach it (it lives in the host's namespaces, as the caller) and a slow setup never
// stalls it (it only forks). If it dies, the addon starts another on the next start.
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "../common/clock.h"
#include "../common/fd_layout.h"
#include "../common/fd_passing.h"
#include "../common/syscalls.h"
#include "../protocol/report.h"
#include "../protocol/zygote.h"
#include "entry.h"

namespace nsj {

namespace {

constexpr int kControlFd = 3;

// One request with its fds (received close-on-exec); false at EOF or on a broken socket.
bool receive(proto::ZygoteRequest* req, std::vector<int>* fds) {
  for (;;) {
    Received r = receive_with_fds(kControlFd, req, sizeof *req, proto::kZygoteMaxSlots, 0);
    if (r.len <= 0) return false;
    *fds = std::move(r.fds);
    if (r.len == static_cast<ssize_t>(sizeof *req) && !r.truncated && proto::zygote_request_valid(*req, fds->size())) return true;
    // Only the addon holds the other end: a request we cannot read is a bug. Dropping it
    // closes its init socket, which the addon sees as a start that did not happen.
    for (int fd : *fds) ::close(fd);
  }
}

// In the fork: the request's fds move to their slots (as posix_spawn's file actions
// would place them), every other fd is closed by begin_stage0.
[[noreturn]] void become_stage0(const proto::ZygoteRequest& req, const std::vector<int>& fds, pid_t addon, char* title,
                                size_t title_len) {
  const int slots = static_cast<int>(req.slots);
  std::vector<int> lifted(static_cast<size_t>(slots), -1);
  size_t next = 0;
  for (int i = 0; i < slots; i++) {
    // Above every slot first: a source may sit where another slot goes.
    int src = req.present[i] ? fds[next++] : ::open("/dev/null", O_RDWR | O_CLOEXEC);
    lifted[static_cast<size_t>(i)] = src < 0 ? -1 : ::fcntl(src, F_DUPFD_CLOEXEC, slots);
    if (lifted[static_cast<size_t>(i)] < 0) ::_exit(2);
  }
  for (int i = 0; i < slots; i++)
    if (::dup2(lifted[static_cast<size_t>(i)], i) < 0) ::_exit(2);
  Stage0Start s;
  s.addon = addon;
  s.extra = req.extra;
  s.held = req.held;
  s.title = title;
  s.title_len = title_len;
  s.started_us = monotonic_us();
  s.announce = true;
  ::_exit(begin_stage0(s));
}

// A report on the request's init socket: the stage 0 it forked (MSG_CHILD, so that the
// addon knows it even if it dies before its hello), or why there is none.
void report(const std::vector<int>& fds, const proto::ZygoteRequest& req, const proto::Report& r) {
  size_t idx = 0;
  for (int i = 0; i < kInitFd; i++) idx += req.present[i] ? 1 : 0;
  if (!req.present[kInitFd] || idx >= fds.size()) return;
  std::vector<uint8_t> buf;
  std::string why;
  if (proto::encode_report(r, &buf, &why)) (void)!::send(fds[idx], buf.data(), buf.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

void report_child(const std::vector<int>& fds, const proto::ZygoteRequest& req, pid_t pid) {
  proto::Report r;
  r.type = proto::MSG_CHILD;
  r.stage = proto::STAGE_PARENT;
  r.pid = static_cast<uint32_t>(pid);
  report(fds, req, r);
}

void report_failure(const std::vector<int>& fds, const proto::ZygoteRequest& req, int err) {
  proto::Report r;
  r.type = proto::MSG_ERROR;
  r.stage = proto::STAGE_PARENT;
  r.err_no = static_cast<uint32_t>(err);
  r.syscall = "clone";
  r.message = "the resident stage 0 could not fork a stage 0";
  report(fds, req, r);
}

}  // namespace

void run_zygote(pid_t addon, char* title, size_t title_len) {
  sys::close_from(kControlFd + 1);
  if (::fcntl(kControlFd, F_SETFD, FD_CLOEXEC) < 0) ::_exit(2);
  std::memset(title, 0, title_len);
  std::strncpy(title, "nsj:[zygote]", title_len);
  ::prctl(PR_SET_NAME, "nsj:[zygote]", 0, 0, 0);
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || ::getppid() != addon) ::_exit(1);
  // Stages inherit it (see begin_stage0): setup yields to the caller's event loop.
  struct sched_param none = {};
  ::sched_setscheduler(0, SCHED_BATCH, &none);

  proto::ZygoteRequest req;
  std::vector<int> fds;
  while (receive(&req, &fds)) {
    pid_t pid = sys::clone_fork(CLONE_PARENT);
    if (pid == 0) become_stage0(req, fds, addon, title, title_len);
    if (pid > 0) report_child(fds, req, pid);
    if (pid < 0) report_failure(fds, req, errno);
    for (int fd : fds) ::close(fd);
  }
  ::_exit(0);  // the addon closed its end: it is gone or done with us
}

}  // namespace nsj

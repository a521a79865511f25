// The init socket seen from the stages: error records, hellos, debug lines.
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <vector>

#include "context.h"

namespace nsj {

void send_report(Ctx& ctx, const proto::Report& r) {
  std::vector<uint8_t> buf;
  std::string err;
  if (!proto::encode_report(r, &buf, &err)) return;
  // A datagram: the message arrives whole or not at all. MSG_NOSIGNAL: the addon may be gone.
  while (::send(ctx.init_fd, buf.data(), buf.size(), MSG_NOSIGNAL) < 0 && errno == EINTR) {
  }
}

bool send_report_with_fds(Ctx& ctx, const proto::Report& r, const int* fds, size_t count) {
  if (count == 0 || count > kMaxPassedFds) return false;
  std::vector<uint8_t> buf;
  std::string err;
  if (!proto::encode_report(r, &buf, &err)) return false;
  struct iovec iov = {buf.data(), buf.size()};
  union {
    char raw[CMSG_SPACE(sizeof(int) * kMaxPassedFds)];
    struct cmsghdr align;
  } control;
  std::memset(&control, 0, sizeof control);
  struct msghdr msg;
  std::memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.raw;
  msg.msg_controllen = CMSG_SPACE(sizeof(int) * count);
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int) * count);
  std::memcpy(CMSG_DATA(c), fds, sizeof(int) * count);
  ssize_t n;
  do n = ::sendmsg(ctx.init_fd, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(buf.size());
}

void send_hello(Ctx& ctx, uint32_t role) {
  proto::Report r;
  r.type = proto::MSG_HELLO;
  r.stage = role;
  send_report(ctx, r);
}

void debug(Ctx& ctx, const char* fmt, ...) {
  if (ctx.boot.log_level == 0) return;
  char buf[1024];
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  // Monotonic microseconds first: the addon's side prints them relative to the spawn.
  int n = std::snprintf(buf, sizeof buf, "@%lld ", static_cast<long long>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000);
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf + n, sizeof buf - static_cast<size_t>(n), fmt, ap);
  va_end(ap);
  proto::Report r;
  r.type = proto::MSG_LOG;
  r.stage = ctx.stage;
  r.message = buf;
  send_report(ctx, r);
}

static void kill_dependents(Ctx& ctx) {
  for (pid_t& p : ctx.kill_on_fail) {
    if (p > 0) ::kill(p, SIGKILL);
    p = 0;
  }
}

void die(Ctx& ctx, const char* syscall, int err, const std::string& path, const std::string& message) {
  proto::Report r;
  r.type = proto::MSG_ERROR;
  r.stage = ctx.stage;
  r.err_no = static_cast<uint32_t>(err);
  r.syscall = syscall ? syscall : "";
  r.path = path;
  r.message = message;
  send_report(ctx, r);
  kill_dependents(ctx);
  ::_exit(1);
}

void die_proto(Ctx& ctx, const char* what, int err, const std::string& message) {
  die(ctx, what, err, "", message);
}

void enter_stage(Ctx& ctx, uint32_t stage, const char* name) {
  ctx.stage = stage;
  ::prctl(PR_SET_NAME, name, 0, 0, 0);
  if (ctx.title && ctx.title_len) {
    std::memset(ctx.title, 0, ctx.title_len);
    std::strncpy(ctx.title, name, ctx.title_len);
  }
}

void set_dumpable(Ctx& ctx, bool on) {
  if (::prctl(PR_SET_DUMPABLE, on ? 1 : 0, 0, 0, 0) < 0) die(ctx, "prctl", errno, "", "PR_SET_DUMPABLE");
}

void die_with_parent(Ctx& ctx) {
  if (ctx.boot.pdeathsig == 0) return;
  if (::prctl(PR_SET_PDEATHSIG, ctx.boot.pdeathsig, 0, 0, 0) < 0)
    die(ctx, "prctl", errno, "", "PR_SET_PDEATHSIG");
  // If the addon died before the line above, no signal will come: its end of the init
  // socket is closed, so the socket reports a hang-up.
  struct pollfd p = {ctx.init_fd, POLLIN, 0};
  if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR))) ::_exit(1);
}

}  // namespace nsj

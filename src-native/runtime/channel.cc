#include "channel.h"

#include <errno.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <vector>

#include "identity.h"

namespace nsj {

void send_report(Ctx& ctx, const proto::Report& r) {
  std::vector<uint8_t> buf;
  std::string err;
  if (!proto::encode_report(r, &buf, &err)) return;
  // MSG_NOSIGNAL: the addon may be gone.
  while (::send(ctx.init_fd, buf.data(), buf.size(), MSG_NOSIGNAL) < 0 && errno == EINTR) {
  }
}

Status send_report_with_fds(Ctx& ctx, const proto::Report& r, const int* fds, size_t count) {
  if (count == 0 || count > kMaxPassedFds) return fail("sendmsg", EINVAL, "", "fds to the addon");
  std::vector<uint8_t> buf;
  std::string err;
  if (!proto::encode_report(r, &buf, &err)) return fail("sendmsg", EINVAL, "", err);
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
  if (n < 0) return fail("sendmsg", errno, "", "fds to the addon");
  if (n != static_cast<ssize_t>(buf.size())) return fail("sendmsg", EIO, "", "fds to the addon (short send)");
  return ok();
}

void send_hello(Ctx& ctx, uint32_t role) {
  proto::Report r;
  r.type = proto::MSG_HELLO;
  r.stage = role;
  send_report(ctx, r);
}

void begin_stage(Ctx& ctx, uint32_t stage, const char* name) {
  enter_stage(ctx, stage, name);
  ctx.kill_on_fail[0] = ctx.kill_on_fail[1] = 0;
  send_hello(ctx, stage);
}

void report_ready(Ctx& ctx) {
  proto::Report r;
  r.type = proto::MSG_READY;
  r.stage = ctx.stage;
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

void notice(Ctx& ctx, const char* text) {
  proto::Report r;
  r.type = proto::MSG_LOG;
  r.stage = ctx.stage;
  r.message = std::string("notice: ") + text;
  send_report(ctx, r);
}

bool read_command(Ctx& ctx, proto::Report* cmd) {
  std::vector<uint8_t> buf(4096);
  for (;;) {
    ssize_t n = ::recv(ctx.init_fd, buf.data(), buf.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    std::string err;
    // Only the addon holds the other end: a message we cannot read is a bug, and not
    // one to act on.
    if (proto::decode_report(buf.data(), static_cast<size_t>(n), cmd, &err)) return true;
  }
}

}  // namespace nsj

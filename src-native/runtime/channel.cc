#include "channel.h"

#include <errno.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <vector>

#include "../common/clock.h"
#include "../common/fd_passing.h"
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
  ssize_t n = send_with_fds(ctx.init_fd, buf.data(), buf.size(), fds, count, 0);
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

void announce_child(Ctx& ctx, uint32_t stage, pid_t pid) {
  proto::Report r;
  r.type = proto::MSG_CHILD;
  r.stage = stage;
  r.pid = static_cast<uint32_t>(pid);
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

namespace {

// Monotonic microseconds first: the addon's side shows them relative to the spawn, and a
// profile (RunOptions.profile) lines them up with JS's and the addon's own marks.
void vlog(Ctx& ctx, uint64_t at_us, const char* fmt, va_list ap) {
  char buf[1024];
  int n = std::snprintf(buf, sizeof buf, "@%llu ", static_cast<unsigned long long>(at_us));
  std::vsnprintf(buf + n, sizeof buf - static_cast<size_t>(n), fmt, ap);
  proto::Report r;
  r.type = proto::MSG_LOG;
  r.stage = ctx.stage;
  r.message = buf;
  send_report(ctx, r);
}

}  // namespace

void debug(Ctx& ctx, const char* fmt, ...) {
  if (ctx.boot.log_level < 1) return;
  va_list ap;
  va_start(ap, fmt);
  vlog(ctx, monotonic_us(), fmt, ap);
  va_end(ap);
}

void trace(Ctx& ctx, const char* fmt, ...) {
  if (ctx.boot.log_level < 2) return;
  va_list ap;
  va_start(ap, fmt);
  vlog(ctx, monotonic_us(), fmt, ap);
  va_end(ap);
}

void debug_at(Ctx& ctx, uint64_t at_us, const char* fmt, ...) {
  if (ctx.boot.log_level < 1) return;
  va_list ap;
  va_start(ap, fmt);
  vlog(ctx, at_us, fmt, ap);
  va_end(ap);
}

void notice(Ctx& ctx, const char* text) {
  proto::Report r;
  r.type = proto::MSG_LOG;
  r.stage = ctx.stage;
  r.message = std::string("notice: ") + text;
  send_report(ctx, r);
}

bool read_command(Ctx& ctx, proto::Report* cmd, Fd* passed) {
  std::vector<uint8_t> buf(4096);
  for (;;) {
    Received r = receive_with_fds(ctx.init_fd, buf.data(), buf.size(), 1, 0);
    Fd fd(r.fds.empty() ? -1 : r.fds[0]);
    for (size_t i = 1; i < r.fds.size(); i++) ::close(r.fds[i]);
    if (r.len <= 0) return false;
    std::string err;
    // Only the addon holds the other end: a message we cannot read is a bug, and not
    // one to act on.
    if (r.truncated || !proto::decode_report(buf.data(), static_cast<size_t>(r.len), cmd, &err)) continue;
    if (passed) *passed = std::move(fd);
    return true;
  }
}

}  // namespace nsj

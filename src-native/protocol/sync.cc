#include "sync.h"

#include <errno.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace nsj::proto {

namespace {

Status write_all(int fd, const void* buf, size_t len, Sync what) {
  const char* p = static_cast<const char*>(buf);
  while (len > 0) {
    ssize_t n = ::write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("sync", n < 0 ? errno : EPIPE, "", std::string("sending ") + sync_name(static_cast<uint32_t>(what)));
    p += n;
    len -= static_cast<size_t>(n);
  }
  return ok();
}

Status read_all(int fd, void* buf, size_t len, Sync want) {
  char* p = static_cast<char*>(buf);
  while (len > 0) {
    ssize_t n = ::read(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    std::string expected = std::string("expected ") + sync_name(static_cast<uint32_t>(want));
    if (n < 0) return fail("sync", errno, "", expected);
    if (n == 0) return fail("sync", EPIPE, "", expected + ": the other stage went away (short read)");
    p += n;
    len -= static_cast<size_t>(n);
  }
  return ok();
}

Status send(int fd, Sync s) {
  uint32_t v = static_cast<uint32_t>(s);
  return write_all(fd, &v, sizeof v, s);
}

Status expect(int fd, Sync want) {
  uint32_t got;
  NSJ_TRY(read_all(fd, &got, sizeof got, want));
  if (got != static_cast<uint32_t>(want))
    return fail("sync", EPROTO, "", std::string("expected ") + sync_name(static_cast<uint32_t>(want)) + ", got " + sync_name(got));
  return ok();
}

}  // namespace

const char* sync_name(uint32_t value) {
  switch (static_cast<Sync>(value)) {
    case Sync::UsermapPls: return "SYNC_USERMAP_PLS";
    case Sync::UsermapAck: return "SYNC_USERMAP_ACK";
    case Sync::RecvpidPls: return "SYNC_RECVPID_PLS";
    case Sync::RecvpidAck: return "SYNC_RECVPID_ACK";
    case Sync::Grandchild: return "SYNC_GRANDCHILD";
    case Sync::ChildReady: return "SYNC_CHILD_READY";
  }
  static thread_local char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", value);
  return buf;
}

Status send_usermap_pls(int fd) { return send(fd, Sync::UsermapPls); }
Status expect_usermap_pls(int fd) { return expect(fd, Sync::UsermapPls); }
Status send_usermap_ack(int fd) { return send(fd, Sync::UsermapAck); }
Status expect_usermap_ack(int fd) { return expect(fd, Sync::UsermapAck); }
Status send_recvpid_ack(int fd) { return send(fd, Sync::RecvpidAck); }
Status expect_recvpid_ack(int fd) { return expect(fd, Sync::RecvpidAck); }
Status send_grandchild(int fd) { return send(fd, Sync::Grandchild); }
Status expect_grandchild(int fd) { return expect(fd, Sync::Grandchild); }
Status send_child_ready(int fd) { return send(fd, Sync::ChildReady); }
Status expect_child_ready(int fd) { return expect(fd, Sync::ChildReady); }

Status send_recvpid_pls(int fd, pid_t pid) {
  uint32_t msg[2] = {static_cast<uint32_t>(Sync::RecvpidPls), static_cast<uint32_t>(pid)};
  return write_all(fd, msg, sizeof msg, Sync::RecvpidPls);
}

Status expect_recvpid_pls(int fd, pid_t* pid) {
  NSJ_TRY(expect(fd, Sync::RecvpidPls));
  uint32_t v;
  NSJ_TRY(read_all(fd, &v, sizeof v, Sync::RecvpidPls));
  if (v == 0 || v > 0x3fffffff) return fail("sync", EPROTO, "", "SYNC_RECVPID_PLS carried an invalid pid " + std::to_string(v));
  *pid = static_cast<pid_t>(v);
  return ok();
}

}  // namespace nsj::proto

#include "sync.h"

#include <errno.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace nsj::proto {

namespace {

int write_all(int fd, const void* buf, size_t len, std::string* err) {
  const char* p = static_cast<const char*>(buf);
  while (len > 0) {
    ssize_t n = ::write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = n < 0 ? errno : EPIPE;
      *err = std::string("sync write failed: ") + std::strerror(e);
      return e;
    }
    p += n;
    len -= static_cast<size_t>(n);
  }
  return 0;
}

int read_all(int fd, void* buf, size_t len, std::string* err) {
  char* p = static_cast<char*>(buf);
  while (len > 0) {
    ssize_t n = ::read(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *err = std::string("sync read failed: ") + std::strerror(errno);
      return errno;
    }
    if (n == 0) {
      *err = "sync read: peer closed the channel (short read)";
      return EPIPE;
    }
    p += n;
    len -= static_cast<size_t>(n);
  }
  return 0;
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

int sync_send(int fd, Sync s, std::string* err) {
  uint32_t v = static_cast<uint32_t>(s);
  return write_all(fd, &v, sizeof v, err);
}

int sync_expect(int fd, Sync want, std::string* err) {
  uint32_t got;
  if (int e = read_all(fd, &got, sizeof got, err)) {
    *err = std::string("expected ") + sync_name(static_cast<uint32_t>(want)) + ": " + *err;
    return e;
  }
  if (got != static_cast<uint32_t>(want)) {
    *err = std::string("expected ") + sync_name(static_cast<uint32_t>(want)) + ", got " +
           sync_name(got);
    return EPROTO;
  }
  return 0;
}

int sync_send_pid(int fd, pid_t pid, std::string* err) {
  uint32_t msg[2] = {static_cast<uint32_t>(Sync::RecvpidPls), static_cast<uint32_t>(pid)};
  return write_all(fd, msg, sizeof msg, err);
}

int sync_expect_pid(int fd, pid_t* pid, std::string* err) {
  if (int e = sync_expect(fd, Sync::RecvpidPls, err)) return e;
  uint32_t v;
  if (int e = read_all(fd, &v, sizeof v, err)) return e;
  if (v == 0 || v > 0x3fffffff) {
    *err = "SYNC_RECVPID_PLS carried an invalid pid " + std::to_string(v);
    return EPROTO;
  }
  *pid = static_cast<pid_t>(v);
  return 0;
}

}  // namespace nsj::proto

#include "fd_passing.h"

#include <errno.h>
#include <sys/socket.h>

#include <cstring>

namespace nsj {

ssize_t send_with_fds(int sock, const void* buf, size_t len, const int* fds, size_t count, int flags) {
  std::vector<char> control(count ? CMSG_SPACE(sizeof(int) * count) : 0);
  struct iovec iov = {const_cast<void*>(buf), len};
  struct msghdr msg;
  std::memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (count) {
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * count);
    std::memcpy(CMSG_DATA(c), fds, sizeof(int) * count);
  }
  ssize_t n;
  do n = ::sendmsg(sock, &msg, flags | MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n;
}

Received receive_with_fds(int sock, void* buf, size_t len, size_t max_fds, int flags) {
  std::vector<char> control(CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * (max_fds ? max_fds : 1)));
  struct iovec iov = {buf, len};
  struct msghdr msg;
  std::memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  Received r;
  do r.len = ::recvmsg(sock, &msg, flags | MSG_CMSG_CLOEXEC);
  while (r.len < 0 && errno == EINTR);
  if (r.len < 0) return r;
  r.truncated = (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET) continue;
    if (c->cmsg_type == SCM_CREDENTIALS) {
      struct ucred cred;
      std::memcpy(&cred, CMSG_DATA(c), sizeof cred);
      r.sender = cred.pid;
    } else if (c->cmsg_type == SCM_RIGHTS) {
      size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < count; i++) {
        int fd;
        std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        r.fds.push_back(fd);
      }
    }
  }
  return r;
}

}  // namespace nsj

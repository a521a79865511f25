#include "datagram.h"

#include <errno.h>
#include <sys/socket.h>

#include <cstring>

namespace nsj {

int receive_datagram(int sock, Datagram* d) {
  union {
    char raw[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(Datagram::kMaxFds * sizeof(int))];
    struct cmsghdr align;
  } control;
  struct iovec iov = {d->buf, sizeof d->buf};
  struct msghdr msg;
  std::memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.raw;
  msg.msg_controllen = sizeof control.raw;
  ssize_t n;
  do n = ::recvmsg(sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
  if (n <= 0) return -1;
  d->len = static_cast<size_t>(n);
  d->truncated = (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0;
  d->sender = 0;
  d->fds.clear();
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET) continue;
    if (c->cmsg_type == SCM_CREDENTIALS) {
      struct ucred cred;
      std::memcpy(&cred, CMSG_DATA(c), sizeof cred);
      d->sender = cred.pid;
    } else if (c->cmsg_type == SCM_RIGHTS) {
      size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < count; i++) {
        int fd;
        std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        d->fds.emplace_back(fd);
      }
    }
  }
  return 1;
}

}  // namespace nsj

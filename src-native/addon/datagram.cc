#include "datagram.h"

#include <errno.h>
#include <sys/socket.h>

#include "../common/fd_passing.h"

namespace nsj {

int receive_datagram(int sock, Datagram* d) {
  Received r = receive_with_fds(sock, d->buf, sizeof d->buf, Datagram::kMaxFds, MSG_DONTWAIT);
  if (r.len < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
  if (r.len <= 0) return -1;
  d->len = static_cast<size_t>(r.len);
  d->truncated = r.truncated;
  d->sender = r.sender;
  d->fds.clear();
  for (int fd : r.fds) d->fds.emplace_back(fd);
  return 1;
}

}  // namespace nsj

// Datagrams with fds attached (SCM_RIGHTS) on unix sockets: how stages hand the addon
// namespace fds and ptys, the addon hands the zygote a start, and the reaper hands the
// main process what it runs (a pooled start).
#pragma once
#include <sys/types.h>

#include <cstddef>
#include <vector>

namespace nsj {

// sendmsg of one datagram with `count` fds (0 allowed); retried on EINTR. The byte
// count, or -1 with errno.
ssize_t send_with_fds(int sock, const void* buf, size_t len, const int* fds, size_t count, int flags);

struct Received {
  ssize_t len = -1;         // bytes, 0 at EOF, -1 with errno
  bool truncated = false;   // MSG_TRUNC or MSG_CTRUNC: data or fds were cut
  pid_t sender = 0;         // SCM_CREDENTIALS, where the socket has SO_PASSCRED
  std::vector<int> fds;     // received close-on-exec; the caller owns them
};

// recvmsg of one datagram into buf, taking up to max_fds fds; retried on EINTR.
Received receive_with_fds(int sock, void* buf, size_t len, size_t max_fds, int flags);

}  // namespace nsj

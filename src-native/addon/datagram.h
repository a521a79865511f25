// One report off an init socket (SOCK_SEQPACKET): its bytes, its sender's pid as the
// kernel attests it (SCM_CREDENTIALS), and the fds it carried (SCM_RIGHTS, received
// close-on-exec and owned here until a report claims them).
#pragma once
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "../common/fd.h"

namespace nsj {

struct Datagram {
  static constexpr size_t kMaxFds = 8;  // one namespace fd per type at most
  uint8_t buf[8192];
  size_t len = 0;
  bool truncated = false;  // longer than buf, or with more fds than kMaxFds
  pid_t sender = 0;
  std::vector<Fd> fds;
};

// 1: one received; 0: none waiting; -1: the socket is at EOF (every process holding it
// has exited or exec'd) or broken.
int receive_datagram(int sock, Datagram* d);

}  // namespace nsj

#include "network.h"

#include <errno.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace nsj {

void bring_up_loopback(Ctx& ctx) {
  int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) die(ctx, "socket", errno, "", "loopback");
  struct ifreq ifr;
  std::memset(&ifr, 0, sizeof ifr);
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(s, SIOCGIFFLAGS, &ifr) < 0) die(ctx, "ioctl", errno, "lo", "SIOCGIFFLAGS");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (::ioctl(s, SIOCSIFFLAGS, &ifr) < 0) die(ctx, "ioctl", errno, "lo", "SIOCSIFFLAGS (bring loopback up)");
  ::close(s);
}

}  // namespace nsj

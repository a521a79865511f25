#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "../common/fd.h"
#include "../runtime/channel.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

namespace nsj {

Status setup_terminal(Ctx& ctx) {
  Fd master(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master) return fail("open", errno, "/dev/ptmx", "terminal");
  int unlock = 0;
  if (::ioctl(master.get(), TIOCSPTLCK, &unlock) < 0) return fail("ioctl", errno, "/dev/ptmx", "TIOCSPTLCK");
  Fd slave(::ioctl(master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!slave) return fail("ioctl", errno, "/dev/ptmx", "TIOCGPTPEER (Linux 4.13+)");
  struct winsize ws = {};
  ws.ws_col = static_cast<unsigned short>(ctx.boot.terminal_size >> 16);
  ws.ws_row = static_cast<unsigned short>(ctx.boot.terminal_size & 0xFFFF);
  if (::ioctl(master.get(), TIOCSWINSZ, &ws) < 0) return fail("ioctl", errno, "/dev/ptmx", "TIOCSWINSZ");
  if (::ioctl(slave.get(), TIOCSCTTY, 0) < 0) return fail("ioctl", errno, "", "TIOCSCTTY: make the pty the controlling terminal");
  for (int fd = 0; fd < 3; fd++)
    if (::dup2(slave.get(), fd) < 0) return fail("dup2", errno, "", "terminal as stdio");
  proto::Report r;
  r.type = proto::MSG_PTY;
  r.stage = ctx.stage;
  int fd = master.get();
  return send_report_with_fds(ctx, r, &fd, 1);
}

}  // namespace nsj

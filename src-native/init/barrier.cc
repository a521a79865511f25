#include "barrier.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

namespace nsj {

bool read_command(Ctx& ctx, proto::Report* cmd) {
  std::vector<uint8_t> buf(4096);
  for (;;) {
    ssize_t n = ::recv(ctx.init_fd, buf.data(), buf.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    std::string err;
    if (proto::decode_report(buf.data(), static_cast<size_t>(n), cmd, &err)) return true;
    die_proto(ctx, "command", EPROTO, err);
  }
}

void wait_for_start(Ctx& ctx) {
  proto::Report cmd;
  for (;;) {
    if (!read_command(ctx, &cmd)) ::_exit(1);  // nobody will ever start us
    if (cmd.type == proto::CMD_START) return;
  }
}

}  // namespace nsj

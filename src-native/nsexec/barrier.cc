#include "barrier.h"

#include <unistd.h>

#include "../runtime/channel.h"

namespace nsj {

Fd wait_for_start(Ctx& ctx) {
  proto::Report cmd;
  for (;;) {
    Fd spec;
    if (!read_command(ctx, &cmd, &spec)) ::_exit(1);
    if (cmd.type == proto::CMD_START) return spec;
  }
}

}  // namespace nsj

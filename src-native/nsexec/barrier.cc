#include "barrier.h"

#include <unistd.h>

#include "../runtime/channel.h"

namespace nsj {

void wait_for_start(Ctx& ctx) {
  proto::Report cmd;
  for (;;) {
    if (!read_command(ctx, &cmd)) ::_exit(1);
    if (cmd.type == proto::CMD_START) return;
  }
}

}  // namespace nsj

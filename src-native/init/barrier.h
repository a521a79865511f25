// runc's exec.fifo, as a message: stage 2 (or the main process under init) waits here
// until the addon sends CMD_START. If the addon goes away instead, we exit.
#pragma once
#include "../nsexec/context.h"

namespace nsj {
void wait_for_start(Ctx& ctx);
// Reads one command from the init socket; false when the addon has gone.
bool read_command(Ctx& ctx, proto::Report* cmd);
}  // namespace nsj

// runc's exec.fifo, as a message: the main process waits here until the addon sends
// CMD_START (directly, or through the reaper's gate). If the addon goes away instead,
// it exits: nobody will ever start it.
#pragma once
#include "../common/fd.h"
#include "../runtime/context.h"

namespace nsj {
// The start spec that came with CMD_START (a pooled container), or an empty Fd.
Fd wait_for_start(Ctx& ctx);
}  // namespace nsj

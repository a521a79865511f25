#pragma once
#include "../nsexec/context.h"

namespace nsj {
// A new network namespace has only a down loopback; bring it up (127.0.0.1 and ::1).
void bring_up_loopback(Ctx& ctx);
}  // namespace nsj

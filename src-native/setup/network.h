#pragma once
#include "../common/status.h"

namespace nsj {
// A new network namespace has only a down loopback; bring it up (127.0.0.1 and ::1).
Status bring_up_loopback();
}  // namespace nsj

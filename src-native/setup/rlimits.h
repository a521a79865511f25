// The program's resource limits, set right before execve (they bind the program, not
// the setup or the reaper).
#pragma once
#include "../common/status.h"
#include "../protocol/bootstrap.h"

namespace nsj {
Status apply_rlimits(const proto::Bootstrap& b);
}  // namespace nsj

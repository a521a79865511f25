#pragma once
#include "../nsexec/context.h"

namespace nsj {
void apply_rlimits(Ctx& ctx);
}  // namespace nsj

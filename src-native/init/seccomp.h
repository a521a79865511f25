#pragma once
#include "../nsexec/context.h"

namespace nsj {
// Installs the compiled filter from the bootstrap (built and checked by the addon).
void apply_seccomp(Ctx& ctx);
}  // namespace nsj

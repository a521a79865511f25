#pragma once
#include <string>

#include "../nsexec/context.h"

namespace nsj {
// args[0] as execvp would find it, but with the container's PATH (not ours), checked
// before the start barrier so a missing program fails create(), not start().
std::string resolve_program(Ctx& ctx);
}  // namespace nsj

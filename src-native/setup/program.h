#pragma once
#include <string>

#include "../common/status.h"
#include "../protocol/bootstrap.h"

namespace nsj {
// args[0] as execvp would find it, but with the container's PATH (not ours), checked
// before the start barrier so a missing program fails create(), not start().
Status resolve_program(const proto::Bootstrap& b, std::string* program);
}  // namespace nsj

#pragma once
#include "../common/status.h"
#include "../protocol/bootstrap.h"

namespace nsj {
// Installs the compiled filter from the bootstrap (built and checked by the addon).
Status apply_seccomp(proto::Bootstrap& b);
}  // namespace nsj

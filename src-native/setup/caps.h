// Capabilities: everything not kept leaves the bounding set (for uid 0 an exec would
// otherwise regain the whole bounding set); inheritable and ambient stay empty unless
// a non-root user keeps capabilities (CVE-2022-29162).
#pragma once
#include <cstdint>

#include "../common/status.h"

namespace nsj {
Status drop_bounding_set(uint64_t keep);
Status set_capabilities(uint64_t keep, bool ambient);
}  // namespace nsj

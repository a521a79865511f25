// Capabilities: everything not kept leaves the bounding set (for uid 0 an exec would
// otherwise regain the whole bounding set); inheritable and ambient stay empty unless
// a non-root user keeps capabilities (CVE-2022-29162).
#pragma once
#include <cstdint>

#include "../nsexec/context.h"

namespace nsj {
void drop_bounding_set(Ctx& ctx, uint64_t keep);
void set_capabilities(Ctx& ctx, uint64_t keep, bool ambient);
}  // namespace nsj

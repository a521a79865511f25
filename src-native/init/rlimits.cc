#include "rlimits.h"

#include <errno.h>
#include <sys/resource.h>

namespace nsj {

void apply_rlimits(Ctx& ctx) {
  for (const auto& r : ctx.boot.rlimits) {
    struct rlimit lim;
    lim.rlim_cur = r.soft == UINT64_MAX ? RLIM_INFINITY : r.soft;
    lim.rlim_max = r.hard == UINT64_MAX ? RLIM_INFINITY : r.hard;
    if (::setrlimit(static_cast<__rlimit_resource>(r.resource), &lim) < 0)
      die(ctx, "setrlimit", errno, "", "resource " + std::to_string(r.resource) +
                                           " (raising a hard limit needs privileges outside the container)");
  }
}

}  // namespace nsj

#include "rlimits.h"

#include <errno.h>
#include <sys/resource.h>

#include <string>

namespace nsj {

Status apply_rlimits(const proto::Bootstrap& b) {
  for (const auto& r : b.rlimits) {
    struct rlimit lim;
    lim.rlim_cur = r.soft == UINT64_MAX ? RLIM_INFINITY : r.soft;
    lim.rlim_max = r.hard == UINT64_MAX ? RLIM_INFINITY : r.hard;
    if (::setrlimit(static_cast<__rlimit_resource>(r.resource), &lim) < 0)
      return fail("setrlimit", errno, "",
                  "resource " + std::to_string(r.resource) + " (raising a hard limit needs privileges outside the container)");
  }
  return ok();
}

}  // namespace nsj

#include "caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

namespace nsj {

Status drop_bounding_set(uint64_t keep) {
  for (int cap = 0; cap < 64; cap++) {
    if (keep & (1ull << cap)) continue;
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
      if (errno == EINVAL) break;  // past the kernel's last capability
      return fail("prctl", errno, "", "PR_CAPBSET_DROP " + std::to_string(cap));
    }
  }
  return ok();
}

Status set_capabilities(uint64_t keep, bool ambient) {
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {};
  for (int i = 0; i < 2; i++) {
    uint32_t bits = static_cast<uint32_t>(keep >> (32 * i));
    data[i].effective = bits;
    data[i].permitted = bits;
    data[i].inheritable = ambient ? bits : 0;
  }
  if (::syscall(SYS_capset, &hdr, data) < 0) return fail("capset", errno);
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return fail("prctl", errno, "", "PR_CAP_AMBIENT_CLEAR_ALL");
  if (!ambient) return ok();
  for (int cap = 0; cap < 64; cap++)
    if ((keep & (1ull << cap)) && ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
      return fail("prctl", errno, "", "PR_CAP_AMBIENT_RAISE " + std::to_string(cap));
  return ok();
}

}  // namespace nsj

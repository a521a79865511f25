#include "cgroup_entry.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <string>

#include "../common/fd.h"
#include "../common/syscalls.h"
#include "../common/write_file.h"

namespace nsj {

Status enter_v1_cgroups(const Ctx& ctx) {
  // Moves the caller: the kernel reads "0" as "the writing process" (thread, for tasks).
  for (const std::string& tasks : ctx.boot.cgroup_tasks) NSJ_TRY(write_file(tasks, "0", "the container's cgroup"));
  return ok();
}

Status clone_stage1(const Ctx& ctx, pid_t* pid) {
  const std::string& dir = ctx.boot.cgroup_dir;
  if (!dir.empty()) {
    Fd cg(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!cg) return fail("open", errno, dir, "the container's cgroup");
    pid_t p = sys::clone3_parent_into_cgroup(cg.get());
    if (p >= 0) {
      *pid = p;
      return ok();
    }
    // Older kernels (and seccomp profiles that hide clone3) say ENOSYS; a kernel without
    // CLONE_INTO_CGROUP refuses the flag or the larger argument.
    if (errno != ENOSYS && errno != EINVAL && errno != E2BIG) return fail("clone3", errno, dir, "stage 1 into the container's cgroup");
    NSJ_TRY(write_file(dir + "/cgroup.procs", "0", "the container's cgroup"));
  }
  *pid = sys::clone_fork(CLONE_PARENT);
  if (*pid < 0) return fail("clone", errno, "", "stage 1");
  return ok();
}

}  // namespace nsj

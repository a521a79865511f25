// Stage 2's container setup, in runc's order: network, rootfs and mounts, hostname,
// working directory; and where the program lives. (rlimits come last of all, right
// before execve: setup/process.h.)
#pragma once
#include <string>

#include "../common/status.h"
#include "../runtime/context.h"

namespace nsj {
// *program: the path to exec (args[0] looked up in the container's PATH).
// *program stays empty with BF_ARGS_AT_START (the start brings it).
Status setup_container(Ctx& ctx, std::string* program);
// chdir, refusing a directory outside the container's root (CVE-2024-21626).
Status enter_cwd(const std::string& cwd);
}  // namespace nsj

// Stage 2's container setup, in runc's order: network, rootfs and mounts, hostname,
// working directory; and where the program lives. (rlimits come last of all, right
// before execve: init/process.cc.)
#pragma once
#include <string>

#include "../nsexec/context.h"

namespace nsj {

// Returns the path of the program to exec (args[0] looked up in the container's PATH).
std::string setup_container(Ctx& ctx);

}  // namespace nsj

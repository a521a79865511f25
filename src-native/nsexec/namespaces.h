// Joining existing namespaces by path, runc's way: open every path first (while the
// paths still mean what the caller meant), join what we can, join the user namespace
// and become root in it, then retry what needed its capabilities.
#pragma once
#include <string>

#include "context.h"

namespace nsj {

int ns_clone_flag(const std::string& type);  // "net" -> CLONE_NEWNET, 0 if unknown
// Returns true if a user namespace was joined (we are now uid 0 in it).
bool join_namespaces(Ctx& ctx);
// setresgid/setresuid(0): root inside the user namespace we created or joined.
void become_root(Ctx& ctx);

}  // namespace nsj

// Joining existing namespaces by path, runc's way: open every path first (while the
// paths still mean what the caller meant), join what we can, join the user namespace
// and become root in it, then retry what needed its capabilities.
#pragma once
#include <initializer_list>
#include <string>

#include "context.h"

namespace nsj {

int ns_clone_flag(const std::string& type);  // "net" -> CLONE_NEWNET, 0 if unknown
// Returns true if a user namespace was joined (we are now uid 0 in it).
bool join_namespaces(Ctx& ctx);
// Stage 2 of a container hands the addon an fd of each of its namespaces (MSG_NSFDS):
// exec and joins by other containers use them, never a /proc/<pid> path that a recycled
// pid could make point elsewhere.
// `locked`: the nested user and mount namespaces of a container that keeps CAP_SYS_ADMIN
// (init/mount_lock.h), joined after all the others.
void send_namespaces(Ctx& ctx);
void send_namespaces(Ctx& ctx, std::initializer_list<const char*> types, bool locked);
// setresgid/setresuid(0): root inside the user namespace we created or joined.
void become_root(Ctx& ctx);

}  // namespace nsj

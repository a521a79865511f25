// The file agent (BF_FILES): the caller's hands inside a container for readFile,
// writeFile, copyIn, copyOut, run outputs and changes(). Node is multi-threaded and
// cannot enter a mount namespace, so stage 0 does it instead of cloning: it joins the
// container's user and mount namespaces (by the fds the caller holds, which outlive the
// container's init until destroy()), and serves requests (agent/server.h) until the
// caller closes its stdin. It joins nothing else: it is no process of the container's
// pid namespace, and nothing in the container can signal, see or ptrace it.
#pragma once
#include "../runtime/context.h"

namespace nsj {
[[noreturn]] void run_file_agent(Ctx& ctx, int end_fd);
}  // namespace nsj

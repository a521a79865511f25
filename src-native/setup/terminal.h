// terminal: true. The process that becomes the main process opens a pty from the
// container's own devpts (/dev/ptmx), takes the slave with TIOCGPTPEER (no path lookup
// a symlink could redirect: CVE-2025-52565), makes it its controlling terminal and its
// stdio, and sends the master to the addon. It must be a session leader already.
#pragma once
#include "../common/status.h"
#include "../runtime/context.h"

namespace nsj {
Status setup_terminal(Ctx& ctx);
}  // namespace nsj

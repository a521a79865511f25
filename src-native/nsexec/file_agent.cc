#include "file_agent.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../agent/server.h"
#include "../runtime/channel.h"
#include "../runtime/fail.h"
#include "../runtime/identity.h"
#include "join.h"

namespace nsj {

void run_file_agent(Ctx& ctx, int end_fd) {
  enter_stage(ctx, proto::STAGE_PARENT, "nsj:[files]");
  // It holds the container's namespaces: nothing in them may ptrace it (CVE-2016-9962).
  check(ctx, set_dumpable(false));
  bool joined_user = false;
  check(ctx, join_namespaces(ctx, &joined_user));
  check(ctx, die_with_parent(ctx));  // joining as root changed our credentials
  ::umask(0);                        // modes are set exactly
  // setns into the mount namespace made its root ours.
  Fd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) die(ctx, "open", errno, "/", "the container's root");
  report_ready(ctx);
  Status st = agent::serve(agent::Root{root.get(), Owner{ctx.boot.uid, ctx.boot.gid}}, kFirstExtraFd, end_fd);
  if (!st.ok()) die(ctx, st);
  ::_exit(0);
}

}  // namespace nsj

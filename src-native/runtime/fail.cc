#include "fail.h"

#include <signal.h>
#include <unistd.h>

#include "channel.h"

namespace nsj {

void die(Ctx& ctx, const Status& st) {
  proto::Report r;
  r.type = proto::MSG_ERROR;
  r.stage = ctx.stage;
  r.err_no = static_cast<uint32_t>(st.err);
  r.syscall = st.syscall ? st.syscall : "";
  r.path = st.path;
  r.message = st.what;
  send_report(ctx, r);
  for (pid_t& p : ctx.kill_on_fail) {
    if (p > 0) ::kill(p, SIGKILL);
    p = 0;
  }
  ::_exit(1);
}

void die(Ctx& ctx, const char* syscall, int err, const std::string& path, const std::string& what) {
  die(ctx, fail(syscall, err, path, what));
}

}  // namespace nsj

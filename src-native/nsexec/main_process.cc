#include "main_process.h"

#include <errno.h>
#include <unistd.h>

#include "../runtime/channel.h"
#include "../common/fd_passing.h"
#include "../protocol/netlink.h"
#include "../runtime/fail.h"
#include "../runtime/sealed_read.h"
#include "../setup/program.h"
#include "../setup/setup.h"
#include "../setup/process.h"
#include "../setup/terminal.h"
#include "barrier.h"

namespace nsj {

namespace {

// The reaper's word on the gate: 'S' start, with the start spec of a pooled container.
// Anything else, or EOF (the reaper is gone), and the main process never runs.
Fd expect_gate(int gate) {
  char got = 0;
  Received r = receive_with_fds(gate, &got, 1, 1, 0);
  Fd spec(r.fds.empty() ? -1 : r.fds[0]);
  if (r.len != 1 || got != 'S') ::_exit(1);
  return spec;
}

// A pooled container's start: what it runs, with which environment, where. Read as the
// container's user, after every credential change: the cwd and the program must be
// reachable by it, as for any exec.
Status take_start_spec(Ctx& ctx, int fd, std::string* program) {
  std::vector<uint8_t> raw;
  if (int err = read_sealed(fd, proto::kMaxMessage, &raw)) return fail("read", err, "", "the start spec");
  proto::Bootstrap start;
  std::string why;
  if (!proto::decode_bootstrap(raw.data(), raw.size(), &start, &why)) return fail("start", EINVAL, "", why);
  ctx.boot.args = std::move(start.args);
  ctx.boot.env = std::move(start.env);
  ctx.boot.cwd = std::move(start.cwd);
  NSJ_TRY(enter_cwd(ctx.boot.cwd));
  return resolve_program(ctx.boot, program);
}

}  // namespace

void become_main(Ctx& ctx, std::string program, int gate) {
  ctx.stage = proto::STAGE_MAIN;
  if (ctx.boot.flags & proto::BF_TERMINAL) check(ctx, setup_terminal(ctx));
  check(ctx, finalize_process(ctx));
  report_ready(ctx);
  Fd spec;
  if (!(ctx.boot.flags & proto::BF_START_NOW)) spec = gate >= 0 ? expect_gate(gate) : wait_for_start(ctx);
  if (gate >= 0) ::close(gate);
  if (ctx.boot.flags & proto::BF_ARGS_AT_START) {
    if (!spec) die(ctx, "start", EINVAL, "", "a pooled container was started without what to run");
    check(ctx, take_start_spec(ctx, spec.get(), &program));
    spec.reset();
  }
  die(ctx, exec_main(ctx, program));
}

}  // namespace nsj

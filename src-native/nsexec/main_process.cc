#include "main_process.h"

#include <errno.h>
#include <unistd.h>

#include "../runtime/channel.h"
#include "../runtime/fail.h"
#include "../setup/process.h"
#include "../setup/terminal.h"
#include "barrier.h"

namespace nsj {

namespace {

// The reaper's word on the gate pipe: 'S' start. Anything else, or EOF (the reaper is
// gone), and the main process never runs.
void expect_gate(int gate, char want) {
  char got = 0;
  ssize_t n;
  do n = ::read(gate, &got, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1 || got != want) ::_exit(1);
}

}  // namespace

void become_main(Ctx& ctx, const std::string& program, int gate) {
  ctx.stage = proto::STAGE_MAIN;
  if (ctx.boot.flags & proto::BF_TERMINAL) check(ctx, setup_terminal(ctx));
  check(ctx, finalize_process(ctx));
  report_ready(ctx);
  if (!(ctx.boot.flags & proto::BF_START_NOW)) {
    if (gate >= 0)
      expect_gate(gate, 'S');
    else
      wait_for_start(ctx);
  }
  if (gate >= 0) ::close(gate);
  die(ctx, exec_main(ctx, program));
}

}  // namespace nsj

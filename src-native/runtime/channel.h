// The init socket seen from the stages: reports to the addon (errors, hellos, debug
// lines, fds) and its commands (start, signal).
#pragma once
#include <sys/types.h>

#include <cstddef>
#include <cstdint>

#include "../common/fd.h"
#include "../common/status.h"
#include "context.h"

namespace nsj {

// A datagram: it arrives whole or not at all; nothing happens if the addon is gone.
void send_report(Ctx& ctx, const proto::Report& r);
// The same, with fds passed along (SCM_RIGHTS, at most kMaxPassedFds).
constexpr size_t kMaxPassedFds = 8;
Status send_report_with_fds(Ctx& ctx, const proto::Report& r, const int* fds, size_t count);
// A process announces itself (role: a proto::Stage); SCM_CREDENTIALS carries its pid as
// the addon sees it, so the addon holds a pidfd for it before it does anything else.
void send_hello(Ctx& ctx, uint32_t role);
// A freshly cloned stage: its name, none of its parent's dependents, and its hello.
void begin_stage(Ctx& ctx, uint32_t stage, const char* name);
// Names a stage we just cloned (MSG_CHILD), before it can do anything.
void announce_child(Ctx& ctx, uint32_t stage, pid_t pid);
void report_ready(Ctx& ctx);
// Log lines with a monotonic timestamp, sent when the bootstrap's log level is at least
// 1 (debug: NSJAIL_TS_DEBUG) or 2 (trace: every mount; a profile, RunOptions.profile).
void debug(Ctx& ctx, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void trace(Ctx& ctx, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
// A debug line for something that happened earlier, at `at_us` (monotonic_us()).
void debug_at(Ctx& ctx, uint64_t at_us, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
// A line the caller gets whatever the log level: something the configuration implied was
// left out (src-ts/instance.ts turns it into a warning). Sent as "notice: <text>".
void notice(Ctx& ctx, const char* text);
// One command from the addon; false when the addon has gone (EOF). An fd that came with
// it (CMD_START of a pooled container: its start spec) goes to *passed, else is closed.
bool read_command(Ctx& ctx, proto::Report* cmd, Fd* passed = nullptr);

}  // namespace nsj

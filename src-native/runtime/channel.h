// The init socket seen from the stages: reports to the addon (errors, hellos, debug
// lines, fds) and its commands (start, signal).
#pragma once
#include <cstddef>

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
void report_ready(Ctx& ctx);
void debug(Ctx& ctx, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
// A line the caller gets whatever the log level: something the configuration implied was
// left out (src-ts/instance.ts turns it into a warning). Sent as "notice: <text>".
void notice(Ctx& ctx, const char* text);
// One command from the addon; false when the addon has gone (EOF).
bool read_command(Ctx& ctx, proto::Report* cmd);

}  // namespace nsj

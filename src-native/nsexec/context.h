// What every stage of the init program knows: the decoded bootstrap, its channels,
// and which processes to take down with it if it fails.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

#include "../common/fd.h"

#include "../common/fd_layout.h"
#include "../protocol/bootstrap.h"
#include "../protocol/report.h"

namespace nsj {


struct Ctx {
  proto::Bootstrap boot;
  uint32_t stage = proto::STAGE_PARENT;
  int init_fd = -1;                       // our copy of the init socket, above every extra fd
  int sync_child[2] = {-1, -1};           // [0] stage 0's end, [1] stage 1's end
  int sync_grandchild[2] = {-1, -1};      // [0] stage 0's end, [1] stage 2's end
  pid_t kill_on_fail[2] = {0, 0};         // SIGKILLed if this stage dies
  std::vector<Fd> caller_trees;           // by mount operation: sources stage 0 opened (init/caller_sources.h)
  char* title = nullptr;                  // argv[0], rewritten to name the stage in ps
  size_t title_len = 0;
};

// Sends an error record (stage, syscall, errno, path, message) to the addon, kills the
// processes this stage is responsible for, and exits. Never returns.
[[noreturn]] void die(Ctx& ctx, const char* syscall, int err, const std::string& path,
                      const std::string& message = "");
// The same for an error with a protocol cause (no errno from a syscall).
[[noreturn]] void die_proto(Ctx& ctx, const char* what, int err, const std::string& message);

void send_report(Ctx& ctx, const proto::Report& r);
// The same, with fds passed along (SCM_RIGHTS, at most kMaxPassedFds). False if it
// could not be sent.
constexpr size_t kMaxPassedFds = 8;
bool send_report_with_fds(Ctx& ctx, const proto::Report& r, const int* fds, size_t count);
// A process announces itself (role: a proto::Stage); SCM_CREDENTIALS carries its pid as
// the addon sees it, so the addon holds a pidfd for it before it does anything else.
void send_hello(Ctx& ctx, uint32_t role);
void debug(Ctx& ctx, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// Renames this process (comm and argv[0]) and records the stage for error records.
void enter_stage(Ctx& ctx, uint32_t stage, const char* name);

// PR_SET_DUMPABLE, checked: whether others of our uid may ptrace us or open /proc/<pid>.
void set_dumpable(Ctx& ctx, bool on);

// Kills us when the addon's thread goes away, and exits now if it already has.
void die_with_parent(Ctx& ctx);

}  // namespace nsj

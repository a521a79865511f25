// Runtime messages on the init socket (SOCK_SEQPACKET, one message per datagram):
// reports from the stages to the addon, and commands from the addon to stage 2.
// Same netlink framing as the bootstrap; each message type has its own attribute set.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "../common/usage.h"

namespace nsj::proto {

enum MsgType : uint16_t {
  MSG_HELLO = 62010,  // a stage announces itself; its pid rides in SCM_CREDENTIALS
  MSG_PIDS = 62011,   // stage 0 relays runc's {"pid":N,"pid_first":M}
  MSG_ERROR = 62012,  // a stage failed: stage, errno, syscall, path, message
  MSG_READY = 62013,  // setup done; stage 2 waits at the start barrier
  MSG_EXIT = 62014,   // the reaper reports the main process's wait status and rusage
  MSG_LOG = 62015,    // a debug line
  MSG_PTY = 62016,    // the master of the main process's pty rides along in SCM_RIGHTS
  MSG_NSFDS = 62017,  // stage 2's namespaces, as fds in SCM_RIGHTS (R_NSTYPES names them)
  MSG_CHILD = 62018,  // "I just created the process R_PID, which will be stage R_STAGE" (see below)
  CMD_START = 62020,  // release the start barrier
  CMD_SIGNAL = 62021, // the reaper signals the main process or every process
};

enum ReportAttr : uint16_t {
  R_STAGE = 1,
  R_ERRNO = 2,
  R_SYSCALL = 3,
  R_PATH = 4,
  R_MESSAGE = 5,
  R_JSON = 6,
  R_STATUS = 7,
  R_SIGNAL = 8,
  R_SCOPE = 9,
  R_NSTYPES = 10,  // MSG_NSFDS: "user,mnt,..." in the order of the fds
  R_PID = 11,      // MSG_CHILD
  // MSG_EXIT: what the main process and every descendant the reaper or they waited for
  // used (getrusage RUSAGE_CHILDREN): CPU times, and the largest resident set of one.
  R_UTIME_US = 20,
  R_STIME_US = 21,
  R_MAXRSS_KB = 22,
};

enum Stage : uint32_t { STAGE_PARENT = 0, STAGE_CHILD = 1, STAGE_INIT = 2, STAGE_MAIN = 3 };
enum SignalScope : uint32_t { SCOPE_MAIN = 0, SCOPE_ALL = 1 };
// MSG_NSFDS: what the fds are. Layers: the upper layer of each overlay, in mount order
// (read by the file agent for changes()); the addon does not keep them, JS does.
enum NsfdsScope : uint32_t { NSFDS_OWN = 0, NSFDS_LOCKED = 1, NSFDS_LAYERS = 2 };

const char* stage_name(uint32_t stage);  // "parent", "child", "init", "main"

struct Report {
  uint16_t type = 0;
  uint32_t stage = 0;
  uint32_t err_no = 0;
  std::string syscall, path, message, json;
  uint32_t status = 0;  // MSG_EXIT: a wait(2) status
  uint32_t signal = 0;  // CMD_SIGNAL
  uint32_t scope = 0;   // CMD_SIGNAL
  std::string ns_types; // MSG_NSFDS (scope 1: the nested namespaces that lock the mounts)
  Usage usage;          // MSG_EXIT
  uint32_t pid = 0;     // MSG_CHILD
};

// MSG_CHILD closes a gap: a stage that dies before its hello (killed at once, say) would
// be a child of the addon that nobody knows, a zombie for ever. Whoever clones a stage
// (the zygote, stage 0, stage 1) names it at once; the addon believes it only from the
// process that made it, and only for a child of its own (CLONE_PARENT).

// Long free text (message, path) is clipped so that an error can always be reported.
bool encode_report(const Report& r, std::vector<uint8_t>* out, std::string* err);
bool decode_report(const uint8_t* buf, size_t len, Report* r, std::string* err);

// The pid pair as runc prints it; parse is strict.
std::string format_pids(int pid, int pid_first);
bool parse_pids(const std::string& json, int* pid, int* pid_first);

}  // namespace nsj::proto

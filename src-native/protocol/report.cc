#include "report.h"

#include <cstdio>
#include <cstring>

#include "netlink.h"

namespace nsj::proto {

namespace {
constexpr size_t kMaxText = 4096;
std::string clip(const std::string& s) { return s.size() > kMaxText ? s.substr(0, kMaxText) : s; }

bool known_type(uint16_t t) {
  switch (t) {
    case MSG_HELLO: case MSG_PIDS: case MSG_ERROR: case MSG_READY: case MSG_EXIT: case MSG_LOG: case MSG_PTY: case MSG_NSFDS: case MSG_CHILD:
    case CMD_START: case CMD_SIGNAL:
      return true;
  }
  return false;
}
}  // namespace

const char* stage_name(uint32_t stage) {
  switch (stage) {
    case STAGE_PARENT: return "parent";
    case STAGE_CHILD: return "child";
    case STAGE_INIT: return "init";
    case STAGE_MAIN: return "main";
  }
  return "unknown";
}

bool encode_report(const Report& r, std::vector<uint8_t>* out, std::string* err) {
  if (!known_type(r.type)) {
    *err = "unknown report type " + std::to_string(r.type);
    return false;
  }
  Writer w(r.type);
  w.u32(R_STAGE, r.stage);
  switch (r.type) {
    case MSG_ERROR:
      w.u32(R_ERRNO, r.err_no);
      if (!r.syscall.empty()) w.str(R_SYSCALL, clip(r.syscall));
      if (!r.path.empty()) w.str(R_PATH, clip(r.path));
      if (!r.message.empty()) w.str(R_MESSAGE, clip(r.message));
      break;
    case MSG_LOG: w.str(R_MESSAGE, clip(r.message)); break;
    case MSG_PIDS: w.str(R_JSON, r.json); break;
    case MSG_EXIT:
      w.u32(R_STATUS, r.status);
      w.u64(R_UTIME_US, r.usage.utime_us);
      w.u64(R_STIME_US, r.usage.stime_us);
      w.u64(R_MAXRSS_KB, r.usage.maxrss_kb);
      break;
    case MSG_NSFDS:
      w.str(R_NSTYPES, r.ns_types);
      w.u32(R_SCOPE, r.scope);  // 1: the locked (nested) namespaces
      break;
    case MSG_CHILD: w.u32(R_PID, r.pid); break;
    case CMD_SIGNAL:
      w.u32(R_SIGNAL, r.signal);
      w.u32(R_SCOPE, r.scope);
      break;
    default: break;
  }
  return w.finish(out, err);
}

bool decode_report(const uint8_t* buf, size_t len, Report* r, std::string* err) {
  uint16_t type = message_type(buf, len);
  if (!known_type(type)) {
    *err = "unknown report type " + std::to_string(type);
    return false;
  }
  const uint8_t* attrs;
  size_t attrs_len;
  if (!open_message(buf, len, type, &attrs, &attrs_len, err)) return false;
  *r = Report{};
  r->type = type;
  Reader rd(attrs, attrs_len);
  Attr a;
  while (rd.next(&a)) {
    bool ok;
    switch (a.type) {
      case R_STAGE: ok = get_u32(a, &r->stage, err); break;
      case R_ERRNO: ok = get_u32(a, &r->err_no, err); break;
      case R_SYSCALL: ok = get_str(a, &r->syscall, err); break;
      case R_PATH: ok = get_str(a, &r->path, err); break;
      case R_MESSAGE: ok = get_str(a, &r->message, err); break;
      case R_JSON: ok = get_str(a, &r->json, err); break;
      case R_STATUS: ok = get_u32(a, &r->status, err); break;
      case R_SIGNAL: ok = get_u32(a, &r->signal, err); break;
      case R_SCOPE: ok = get_u32(a, &r->scope, err); break;
      case R_NSTYPES: ok = get_str(a, &r->ns_types, err); break;
      case R_PID: ok = get_u32(a, &r->pid, err); break;
      case R_UTIME_US: ok = get_u64(a, &r->usage.utime_us, err); break;
      case R_STIME_US: ok = get_u64(a, &r->usage.stime_us, err); break;
      case R_MAXRSS_KB: ok = get_u64(a, &r->usage.maxrss_kb, err); break;
      default:
        *err = "unknown report attribute " + std::to_string(a.type);
        ok = false;
    }
    if (!ok) return false;
  }
  if (!rd.error().empty()) {
    *err = rd.error();
    return false;
  }
  return true;
}

std::string format_pids(int pid, int pid_first) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "{\"pid\":%d,\"pid_first\":%d}", pid, pid_first);
  return buf;
}

bool parse_pids(const std::string& json, int* pid, int* pid_first) {
  int n = 0;
  if (std::sscanf(json.c_str(), "{\"pid\":%d,\"pid_first\":%d}%n", pid, pid_first, &n) != 2)
    return false;
  return static_cast<size_t>(n) == json.size() && *pid > 0 && *pid_first > 0;
}

}  // namespace nsj::proto

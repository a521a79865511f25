#include "server.h"

#include <errno.h>

#include <cstring>
#include <string>

#include "../protocol/files.h"
#include "changes.h"
#include "frames.h"

namespace nsj::agent {

namespace {

// "u32 value, then a path" payloads.
bool split(const std::string& p, uint32_t* value, std::string* path) {
  if (p.size() < sizeof *value) return false;
  std::memcpy(value, p.data(), sizeof *value);
  *path = p.substr(sizeof *value);
  return true;
}

bool good_path(const std::string& path) { return !path.empty() && path[0] == '/' && path.find('\0') == std::string::npos; }

}  // namespace

Status send_outputs(const Root& root, const std::vector<std::string>& paths) {
  for (const auto& p : paths) NSJ_TRY(walk(root, p));
  return ok();
}

Status serve(const Root& root, int first_fd, int end_fd) {
  for (;;) {
    uint32_t type, value = 0;
    std::string payload, path;
    bool eof = false;
    Status st = read_frame(&type, &payload, &eof);
    if (!st.ok()) return eof ? ok() : st;
    switch (type) {
      case proto::FF_REQ_READ:
      case proto::FF_REQ_WALK:
        if (!good_path(payload)) return fail("read", EPROTO, "", "a request without an absolute path");
        NSJ_TRY(type == proto::FF_REQ_READ ? read_file(root, payload) : walk(root, payload));
        break;
      case proto::FF_REQ_WRITE:
      case proto::FF_REQ_MKDIR:
        // Never a set-user-ID or set-group-ID mode (the caller refuses them too).
        if (!split(payload, &value, &path) || !good_path(path) || (value & ~01777u))
          return fail("read", EPROTO, "", "a request without a permission mode and an absolute path");
        NSJ_TRY(type == proto::FF_REQ_WRITE ? write_file(root, path, value) : make_dir(root, path, value));
        break;
      case proto::FF_REQ_CHANGES:
        if (!split(payload, &value, &path) || static_cast<int>(value) < first_fd || static_cast<int>(value) >= end_fd)
          return fail("read", EPROTO, "", "changes of an fd the agent was not handed");
        NSJ_TRY(list_changes(static_cast<int>(value)));
        break;
      default:
        return fail("read", EPROTO, "", "unknown file request " + std::to_string(type));
    }
  }
}

}  // namespace nsj::agent

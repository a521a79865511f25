// Where a stage ends on an error: the record goes to the addon (stage, syscall, errno,
// path, message), the processes this stage is responsible for are killed, and it exits.
#pragma once
#include <string>

#include "../common/status.h"
#include "context.h"

namespace nsj {

[[noreturn]] void die(Ctx& ctx, const Status& st);
[[noreturn]] void die(Ctx& ctx, const char* syscall, int err, const std::string& path, const std::string& what = "");
// A stage's top level: go on, or end with the error.
inline void check(Ctx& ctx, const Status& st) {
  if (!st.ok()) die(ctx, st);
}

}  // namespace nsj

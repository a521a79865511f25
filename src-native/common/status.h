// The native error convention of the init program (and the addon's spawn): a step that
// fails returns a Status naming the system call, the errno, the path and what it was
// doing. Only a stage's top level turns one into an error record for the addon and ends
// (runtime/fail.h: check, die). Callers propagate with NSJ_TRY.
#pragma once
#include <string>
#include <utility>

namespace nsj {

struct [[nodiscard]] Status {
  int err = 0;                 // an errno; 0 is success
  const char* syscall = "";    // the system call (or protocol step) that failed
  std::string path;            // what it failed on, if anything
  std::string what;            // what we were doing, for the message

  bool ok() const { return err == 0; }
};

inline Status ok() { return Status{}; }
inline Status fail(const char* syscall, int err, std::string path = {}, std::string what = {}) {
  return Status{err ? err : 5 /* EIO: never report success as a failure */, syscall, std::move(path), std::move(what)};
}

}  // namespace nsj

#define NSJ_TRY(expr)                          \
  do {                                         \
    ::nsj::Status nsj_try_status_ = (expr);    \
    if (!nsj_try_status_.ok()) return nsj_try_status_; \
  } while (0)

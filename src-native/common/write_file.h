// A whole value written into an existing file in one write: the kernel's files (an id
// map, a cgroup's tasks) take a value per write and are never created.
#pragma once
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "fd.h"
#include "status.h"

namespace nsj {

inline Status write_file(const std::string& path, const std::string& data, const char* what = "") {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return fail("open", errno, path, what);
  ssize_t n = ::write(fd.get(), data.data(), data.size());
  if (n != static_cast<ssize_t>(data.size())) return fail("write", n < 0 ? errno : EIO, path, what);
  return ok();
}

}  // namespace nsj

#include "program.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nsj {

namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// 0 if path is an executable regular file, else the errno execve would give.
int check_executable(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) < 0) return errno;
  if (S_ISDIR(st.st_mode)) return EACCES;
  if (!S_ISREG(st.st_mode)) return EACCES;
  if ((st.st_mode & 0111) == 0) return EACCES;
  return 0;
}

}  // namespace

Status resolve_program(const proto::Bootstrap& b, std::string* program) {
  const std::string& name = b.args[0];
  if (name.empty()) return fail("execve", ENOENT, name, "empty program name");
  if (name.find('/') != std::string::npos) {
    if (int e = check_executable(name)) return fail("execve", e, name);
    *program = name;
    return ok();
  }
  std::string path = kDefaultPath;
  for (const auto& e : b.env)
    if (e.compare(0, 5, "PATH=") == 0) path = e.substr(5);
  int best = ENOENT;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    int e = check_executable(candidate);
    if (e == 0) {
      *program = candidate;
      return ok();
    }
    if (e == EACCES) best = EACCES;  // as execvp: a non-executable match beats "not found"
    start = end + 1;
  }
  return fail("execve", best, name, "not found in PATH=" + path);
}

}  // namespace nsj

#include "idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <vector>

namespace nsj {

namespace {

int write_proc(pid_t pid, const char* file, const std::string& data, std::string* err) {
  std::string path = "/proc/" + std::to_string(pid) + "/" + file;
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    *err = "open " + path + ": " + std::strerror(e);
    return e;
  }
  ssize_t n = ::write(fd, data.data(), data.size());
  int e = n < 0 ? errno : 0;
  ::close(fd);
  if (n != static_cast<ssize_t>(data.size())) {
    if (!e) e = EIO;
    *err = "write " + path + ": " + std::strerror(e);
    return e;
  }
  return 0;
}

// newuidmap <pid> <inside> <outside> <count> ... with an empty environment, as runc does.
int run_helper(const std::string& helper, pid_t pid, const std::string& map, std::string* err) {
  std::vector<std::string> words{helper, std::to_string(pid)};
  std::string word;
  for (char c : map + "\n") {
    if (c == ' ' || c == '\n' || c == '\t') {
      if (!word.empty()) words.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  char* envp[] = {nullptr};

  pid_t child = ::fork();
  if (child < 0) {
    int e = errno;
    *err = "fork for " + helper + ": " + std::strerror(e);
    return e;
  }
  if (child == 0) {
    ::execve(helper.c_str(), argv.data(), envp);
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) {
      int e = errno;
      *err = "waitpid " + helper + ": " + std::strerror(e);
      return e;
    }
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
  *err = helper + " failed (" +
         (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                            : "signal " + std::to_string(WTERMSIG(status))) +
         "); check /etc/subuid and /etc/subgid for this user";
  return EPERM;
}

int write_map(pid_t pid, const char* file, const std::string& map, const std::string& helper,
              std::string* err) {
  if (map.empty()) return 0;
  int e = write_proc(pid, file, map, err);
  if (e == 0) return 0;
  // Without CAP_SETUID only a map of our own id is allowed; the helper may do more.
  if ((e == EPERM || e == EINVAL) && !helper.empty()) return run_helper(helper, pid, map, err);
  return e;
}

}  // namespace

int write_id_maps(Ctx& ctx, pid_t pid, std::string* err) {
  const proto::Bootstrap& b = ctx.boot;
  // An unprivileged gid_map write requires setgroups to be denied first.
  if (b.rootless_euid && !b.setgroups && !b.gid_map.empty()) {
    if (int e = write_proc(pid, "setgroups", "deny", err)) return e;
  }
  if (int e = write_map(pid, "uid_map", b.uid_map, b.uid_map_path, err)) return e;
  return write_map(pid, "gid_map", b.gid_map, b.gid_map_path, err);
}

}  // namespace nsj

#include "idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "../common/fd.h"

namespace nsj {

namespace {

Status write_proc(pid_t pid, const char* file, const std::string& data) {
  std::string path = "/proc/" + std::to_string(pid) + "/" + file;
  Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return fail("open", errno, path, "id map");
  ssize_t n = ::write(fd.get(), data.data(), data.size());
  if (n < 0) return fail("write", errno, path, "id map");
  if (n != static_cast<ssize_t>(data.size())) return fail("write", EIO, path, "id map (short write)");
  return ok();
}

// newuidmap <pid> <inside> <outside> <count> ... with an empty environment, as runc does.
Status run_helper(const std::string& helper, pid_t pid, const std::string& map) {
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
  if (child < 0) return fail("fork", errno, helper);
  if (child == 0) {
    ::execve(helper.c_str(), argv.data(), envp);
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0)
    if (errno != EINTR) return fail("waitpid", errno, helper);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return ok();
  return fail("uid_map", EPERM, helper,
              helper + " failed (" +
                  (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                     : "signal " + std::to_string(WTERMSIG(status))) +
                  "); check /etc/subuid and /etc/subgid for this user");
}

Status write_map(pid_t pid, const char* file, const std::string& map, const std::string& helper) {
  if (map.empty()) return ok();
  Status st = write_proc(pid, file, map);
  // Without CAP_SETUID only a map of our own id is allowed; the helper may do more.
  if (!st.ok() && (st.err == EPERM || st.err == EINVAL) && !helper.empty()) return run_helper(helper, pid, map);
  if (!st.ok()) st.syscall = "uid_map";  // the addon's hints key on it
  return st;
}

}  // namespace

Status write_id_maps(const Ctx& ctx, pid_t pid) {
  const proto::Bootstrap& b = ctx.boot;
  // An unprivileged gid_map write requires setgroups to be denied first.
  if (b.rootless_euid && !b.setgroups && !b.gid_map.empty()) NSJ_TRY(write_proc(pid, "setgroups", "deny"));
  NSJ_TRY(write_map(pid, "uid_map", b.uid_map, b.uid_map_path));
  return write_map(pid, "gid_map", b.gid_map, b.gid_map_path);
}

}  // namespace nsj

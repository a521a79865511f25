#include "mount_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "../common/fd.h"
#include "../common/syscalls.h"
#include "../runtime/channel.h"
#include "../runtime/identity.h"
#include "../runtime/namespaces.h"

namespace nsj {

namespace {

constexpr int kCapSysAdmin = 21;

std::string read_small(const char* path) {
  Fd f(::open(path, O_RDONLY | O_CLOEXEC));
  std::string out;
  char buf[4096];
  ssize_t n;
  while (f && (n = ::read(f.get(), buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

// "inside outside count" lines of our namespace's map -> "inside inside count": the
// nested namespace maps every id the container has onto itself.
std::string mirrored(const std::string& map) {
  std::string out;
  size_t start = 0;
  while (start < map.size()) {
    size_t end = map.find('\n', start);
    if (end == std::string::npos) end = map.size();
    unsigned long inside = 0, outside = 0, count = 0;
    if (std::sscanf(map.substr(start, end - start).c_str(), "%lu %lu %lu", &inside, &outside, &count) == 3)
      out += std::to_string(inside) + " " + std::to_string(inside) + " " + std::to_string(count) + "\n";
    start = end + 1;
  }
  return out;
}

bool write_file(const std::string& path, const std::string& data) {
  Fd f(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  return f && ::write(f.get(), data.data(), data.size()) == static_cast<ssize_t>(data.size());
}

}  // namespace

bool mounts_need_lock(const Ctx& ctx) {
  return (ctx.boot.caps.bits & (1ull << kCapSysAdmin)) != 0;
}

Status lock_mounts(Ctx& ctx) {
  std::string uid_map = mirrored(read_small("/proc/self/uid_map"));
  std::string gid_map = mirrored(read_small("/proc/self/gid_map"));
  if (uid_map.empty() || gid_map.empty()) return fail("open", ENOENT, "/proc/self/uid_map", "locking the mounts needs /proc");
  // Only a process still in the container's namespace (with CAP_SETUID there) may write
  // the nested namespace's maps: a helper, released once we have unshared.
  int go[2];
  if (::pipe2(go, O_CLOEXEC) < 0) return fail("pipe2", errno);
  Fd go_read(go[0]), go_write(go[1]);
  pid_t self = ::getpid();
  // The helper writes our maps through /proc/<pid>, which a process that is not dumpable
  // keeps to host root; nothing of the container runs yet, and this ends with the maps.
  NSJ_TRY(set_dumpable(true));
  pid_t helper = sys::clone_fork(0);
  if (helper < 0) return fail("clone", errno, "", "helper for the nested user namespace");
  if (helper == 0) {
    go_write.reset();
    char c;
    if (::read(go_read.get(), &c, 1) != 1) ::_exit(2);
    std::string proc = "/proc/" + std::to_string(self) + "/";
    ::_exit(write_file(proc + "uid_map", uid_map) && write_file(proc + "gid_map", gid_map) ? 0 : 1);
  }
  go_read.reset();
  int unshared = ::unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0 ? errno : 0;
  if (!unshared) (void)!::write(go_write.get(), "g", 1);
  go_write.reset();  // without the byte, the helper exits without writing anything
  int status = 0;
  while (::waitpid(helper, &status, 0) < 0 && errno == EINTR) {
  }
  if (unshared) return fail("unshare", unshared, "", "nested user namespace that locks the mounts (CAP_SYS_ADMIN)");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return fail("write", EPERM, "/proc/" + std::to_string(self) + "/uid_map", "maps of the nested user namespace");
  NSJ_TRY(set_dumpable(false));
  NSJ_TRY(become_root());
  NSJ_TRY(send_locked_namespaces(ctx));
  debug(ctx, "mounts locked in a nested user namespace");
  return ok();
}

}  // namespace nsj

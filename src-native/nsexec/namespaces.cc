#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <vector>

namespace nsj {

int ns_clone_flag(const std::string& type) {
  if (type == "user") return CLONE_NEWUSER;
  if (type == "mnt") return CLONE_NEWNS;
  if (type == "pid") return CLONE_NEWPID;
  if (type == "net") return CLONE_NEWNET;
  if (type == "ipc") return CLONE_NEWIPC;
  if (type == "uts") return CLONE_NEWUTS;
  if (type == "cgroup") return CLONE_NEWCGROUP;
#ifdef CLONE_NEWTIME
  if (type == "time") return CLONE_NEWTIME;
#else
  if (type == "time") return 0x00000080;
#endif
  return 0;
}

void become_root(Ctx& ctx) {
  if (::setresgid(0, 0, 0) < 0) die(ctx, "setresgid", errno, "", "gid 0 is not mapped in the user namespace");
  if (::setresuid(0, 0, 0) < 0) die(ctx, "setresuid", errno, "", "uid 0 is not mapped in the user namespace");
}

bool join_namespaces(Ctx& ctx) {
  struct Target {
    const proto::NsPath* ns;
    int flag;
    int fd;
    bool joined;
  };
  std::vector<Target> targets;
  for (const auto& ns : ctx.boot.ns_paths) {
    int fd = ::open(ns.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) die(ctx, "open", errno, ns.path, "namespace " + ns.type);
    targets.push_back({&ns, ns_clone_flag(ns.type), fd, false});
  }
  auto join = [&](Target& t, bool last_chance) {
    if (::setns(t.fd, t.flag) == 0) {
      t.joined = true;
      ::close(t.fd);
      return;
    }
    // EPERM may only mean we need the capabilities the user namespace will give us.
    if (errno == EPERM && !last_chance) return;
    die(ctx, "setns", errno, t.ns->path, "namespace " + t.ns->type);
  };
  for (auto& t : targets)
    if (t.flag != CLONE_NEWUSER) join(t, false);
  bool joined_user = false;
  for (auto& t : targets)
    if (t.flag == CLONE_NEWUSER) {
      join(t, true);
      become_root(ctx);
      joined_user = true;
    }
  for (auto& t : targets)
    if (!t.joined) join(t, true);
  return joined_user;
}

}  // namespace nsj

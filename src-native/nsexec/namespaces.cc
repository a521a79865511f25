#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <vector>

#include "../common/fd.h"

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

namespace {

constexpr long kNsfsMagic = 0x6e736673;  // NSFS_MAGIC

// Non-blocking, so that a FIFO (or a device) given as a namespace path fails here
// instead of hanging the stage; then it must be a namespace file of the claimed type.
int open_namespace(Ctx& ctx, const proto::NsPath& ns) {
  int fd = ::open(ns.path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) die(ctx, "open", errno, ns.path, "namespace " + ns.type);
  struct statfs sfs;
  if (::fstatfs(fd, &sfs) < 0) die(ctx, "fstatfs", errno, ns.path, "namespace " + ns.type);
  if (sfs.f_type != kNsfsMagic) die(ctx, "open", EINVAL, ns.path, "namespace " + ns.type + ": not a namespace file (nsfs)");
  return fd;
}

}  // namespace

void send_namespaces(Ctx& ctx) {
  send_namespaces(ctx, {"user", "mnt", "pid", "net", "ipc", "uts", "cgroup", "time"}, false);
}

void send_namespaces(Ctx& ctx, std::initializer_list<const char*> kTypes, bool locked) {
  std::vector<Fd> held;
  std::vector<int> fds;
  std::string types;
  for (const char* t : kTypes) {
    bool wanted = locked || (ctx.boot.clone_flags & static_cast<uint32_t>(ns_clone_flag(t))) != 0;
    for (const auto& ns : ctx.boot.ns_paths) wanted = wanted || ns.type == t;
    if (!wanted) continue;
    std::string path = std::string("/proc/self/ns/") + t;
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) die(ctx, "open", errno, path, "namespace handle for the addon");
    fds.push_back(fd.get());
    held.push_back(std::move(fd));
    types += (types.empty() ? "" : ",") + std::string(t);
  }
  if (fds.empty()) return;
  proto::Report r;
  r.type = proto::MSG_NSFDS;
  r.stage = ctx.stage;
  r.ns_types = types;
  r.scope = locked ? 1 : 0;
  if (!send_report_with_fds(ctx, r, fds.data(), fds.size())) die(ctx, "sendmsg", errno ? errno : EIO, "", "namespace handles to the addon");
}

bool join_namespaces(Ctx& ctx) {
  struct Target {
    const proto::NsPath* ns;
    int flag;
    int fd;
    bool joined;
  };
  std::vector<Target> targets, nested;
  for (const auto& ns : ctx.boot.ns_paths) targets.push_back({&ns, ns_clone_flag(ns.type), open_namespace(ctx, ns), false});
  for (const auto& ns : ctx.boot.nested_paths) nested.push_back({&ns, ns_clone_flag(ns.type), open_namespace(ctx, ns), false});
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
  // Last, the nested user and mount namespaces of a container whose mounts are locked
  // (init/mount_lock.h): our capabilities in its user namespace cover the nested one.
  for (auto& t : nested) {
    join(t, true);
    if (t.flag == CLONE_NEWUSER) {
      become_root(ctx);
      joined_user = true;
    }
  }
  return joined_user;
}

}  // namespace nsj

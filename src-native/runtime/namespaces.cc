#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "../protocol/namespace_table.h"
#include "channel.h"

namespace nsj {

namespace {

constexpr long kNsfsMagic = 0x6e736673;  // NSFS_MAGIC

Status send(Ctx& ctx, const std::vector<const char*>& types, bool locked) {
  std::vector<Fd> held;
  std::vector<int> fds;
  std::string names;
  for (const char* t : types) {
    std::string path = std::string("/proc/self/ns/") + t;
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return fail("open", errno, path, "namespace handle for the addon");
    fds.push_back(fd.get());
    held.push_back(std::move(fd));
    names += (names.empty() ? "" : ",") + std::string(t);
  }
  if (fds.empty()) return ok();
  proto::Report r;
  r.type = proto::MSG_NSFDS;
  r.stage = ctx.stage;
  r.ns_types = names;
  r.scope = locked ? proto::NSFDS_LOCKED : proto::NSFDS_OWN;
  return send_report_with_fds(ctx, r, fds.data(), fds.size());
}

}  // namespace

Status open_namespace(const proto::NsPath& ns, Fd* out) {
  const std::string what = "namespace " + ns.type;
  Fd fd(::open(ns.path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (!fd) return fail("open", errno, ns.path, what);
  struct statfs sfs;
  if (::fstatfs(fd.get(), &sfs) < 0) return fail("fstatfs", errno, ns.path, what);
  if (sfs.f_type != kNsfsMagic) return fail("open", EINVAL, ns.path, what + ": not a namespace file (nsfs)");
  *out = std::move(fd);
  return ok();
}

Status send_namespaces(Ctx& ctx) {
  std::vector<const char*> types;
  for (const auto& ns : proto::kNamespaces) {
    bool wanted = (ctx.boot.clone_flags & ns.clone_flag) != 0;
    for (const auto& p : ctx.boot.ns_paths) wanted = wanted || p.type == ns.proc;
    if (wanted) types.push_back(ns.proc);
  }
  return send(ctx, types, false);
}

Status send_locked_namespaces(Ctx& ctx) { return send(ctx, {"user", "mnt"}, true); }

Status send_layers(Ctx& ctx) {
  for (size_t at = 0; at < ctx.layers.size(); at += kMaxPassedFds) {
    std::vector<int> fds;
    std::string names;
    for (size_t i = at; i < ctx.layers.size() && i < at + kMaxPassedFds; i++) {
      fds.push_back(ctx.layers[i].get());
      names += (names.empty() ? "" : ",") + std::string("upper");
    }
    proto::Report r;
    r.type = proto::MSG_NSFDS;
    r.stage = ctx.stage;
    r.ns_types = names;
    r.scope = proto::NSFDS_LAYERS;
    NSJ_TRY(send_report_with_fds(ctx, r, fds.data(), fds.size()));
  }
  ctx.layers.clear();
  return ok();
}

}  // namespace nsj

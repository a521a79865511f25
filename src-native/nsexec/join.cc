#include "join.h"

#include <errno.h>
#include <sched.h>

#include <vector>

#include "../protocol/namespace_table.h"
#include "../runtime/identity.h"
#include "../runtime/namespaces.h"

namespace nsj {

namespace {

struct Target {
  const proto::NsPath* ns;
  uint32_t flag;
  Fd fd;
};

Status open_all(const proto::NsPathList& paths, std::vector<Target>* out) {
  for (const auto& p : paths) {
    const proto::NamespaceInfo* info = proto::namespace_by_proc(p.type);
    if (!info) return fail("setns", EINVAL, p.path, "unknown namespace type " + p.type);
    Target t{&p, info->clone_flag, Fd()};
    NSJ_TRY(open_namespace(p, &t.fd));
    out->push_back(std::move(t));
  }
  return ok();
}

// EPERM on a first try may only mean we need the capabilities the user namespace gives.
Status join(Target& t, bool last_chance) {
  if (!t.fd) return ok();  // joined already
  if (::setns(t.fd.get(), static_cast<int>(t.flag)) == 0) {
    t.fd.reset();
    return ok();
  }
  if (errno == EPERM && !last_chance) return ok();
  return fail("setns", errno, t.ns->path, "namespace " + t.ns->type);
}

}  // namespace

Status join_namespaces(Ctx& ctx, bool* joined_user) {
  std::vector<Target> targets, nested;
  NSJ_TRY(open_all(ctx.boot.ns_paths, &targets));
  NSJ_TRY(open_all(ctx.boot.nested_paths, &nested));
  *joined_user = false;
  for (auto& t : targets)
    if (t.flag != CLONE_NEWUSER) NSJ_TRY(join(t, false));
  for (auto& t : targets)
    if (t.flag == CLONE_NEWUSER) {
      NSJ_TRY(join(t, true));
      NSJ_TRY(become_root());
      *joined_user = true;
    }
  for (auto& t : targets) NSJ_TRY(join(t, true));
  // Our capabilities in the container's user namespace cover the nested one.
  for (auto& t : nested) {
    NSJ_TRY(join(t, true));
    if (t.flag == CLONE_NEWUSER) {
      NSJ_TRY(become_root());
      *joined_user = true;
    }
  }
  return ok();
}

}  // namespace nsj

#include "bootstrap.h"

#include <cstring>

#include "netlink.h"

namespace nsj::proto {

namespace {

constexpr const char* kNsTypes[] = {"user", "mnt", "pid", "net", "ipc", "uts", "cgroup", "time"};

bool known_ns_type(const std::string& t) {
  for (const char* k : kNsTypes)
    if (t == k) return true;
  return false;
}

struct RlimitWire {
  uint32_t resource;
  uint32_t pad;
  uint64_t soft;
  uint64_t hard;
};

bool decode_mount(const Attr& outer, MountOp* m, std::string* err) {
  Reader r(outer.data, outer.len);
  Attr a;
  bool have_kind = false, have_target = false;
  while (r.next(&a)) {
    bool ok = true;
    switch (a.type) {
      case MNT_KIND: {
        uint32_t k;
        ok = get_u32(a, &k, err);
        if (ok && (k < 1 || k > static_cast<uint32_t>(MountKind::Rebind))) {
          *err = "unknown mount kind " + std::to_string(k);
          ok = false;
        }
        m->kind = static_cast<MountKind>(k);
        have_kind = true;
        break;
      }
      case MNT_SOURCE: ok = get_str(a, &m->source, err); break;
      case MNT_TARGET: ok = get_str(a, &m->target, err); have_target = true; break;
      case MNT_DATA: ok = get_str(a, &m->data, err); break;
      case MNT_FLAGS: ok = get_u32(a, &m->flags, err); break;
      case MNT_MODE: ok = get_u32(a, &m->mode, err); break;
      case MNT_SIZE: ok = get_u64(a, &m->size, err); break;
      default:
        *err = "unknown mount attribute " + std::to_string(a.type);
        ok = false;
    }
    if (!ok) return false;
  }
  if (!r.error().empty()) {
    *err = "mount: " + r.error();
    return false;
  }
  if (!have_kind || !have_target) {
    *err = "mount attribute without kind or target";
    return false;
  }
  return true;
}

}  // namespace

bool format_ns_paths(const std::vector<NsPath>& in, std::string* out, std::string* err) {
  out->clear();
  for (const auto& ns : in) {
    if (!known_ns_type(ns.type)) {
      *err = "unknown namespace type '" + ns.type + "'";
      return false;
    }
    if (ns.path.empty() || ns.path.find(',') != std::string::npos) {
      *err = "namespace path '" + ns.path + "' is empty or contains a comma";
      return false;
    }
    if (!out->empty()) *out += ',';
    *out += ns.type + ":" + ns.path;
  }
  return true;
}

bool parse_ns_paths(const std::string& in, std::vector<NsPath>* out, std::string* err) {
  out->clear();
  size_t start = 0;
  while (start <= in.size()) {
    size_t end = in.find(',', start);
    if (end == std::string::npos) end = in.size();
    std::string item = in.substr(start, end - start);
    size_t colon = item.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == item.size()) {
      *err = "malformed namespace path entry '" + item + "'";
      return false;
    }
    NsPath ns{item.substr(0, colon), item.substr(colon + 1)};
    if (!known_ns_type(ns.type)) {
      *err = "unknown namespace type '" + ns.type + "'";
      return false;
    }
    for (const auto& prev : *out)
      if (prev.type == ns.type) {
        *err = "namespace type '" + ns.type + "' given twice";
        return false;
      }
    out->push_back(std::move(ns));
    start = end + 1;
  }
  return true;
}

bool encode_bootstrap(const Bootstrap& b, std::vector<uint8_t>* out, std::string* err) {
  Writer w(INIT_MSG);
  w.u32(CLONE_FLAGS_ATTR, b.clone_flags);
  if (!b.ns_paths.empty()) {
    std::string paths;
    if (!format_ns_paths(b.ns_paths, &paths, err)) return false;
    w.str(NS_PATHS_ATTR, paths);
  }
  if (!b.nested_paths.empty()) {
    std::string paths;
    if (!format_ns_paths(b.nested_paths, &paths, err)) return false;
    w.str(NESTED_PATHS_ATTR, paths);
  }
  if (!b.uid_map.empty()) w.str(UIDMAP_ATTR, b.uid_map);
  if (!b.gid_map.empty()) w.str(GIDMAP_ATTR, b.gid_map);
  w.boolean(SETGROUP_ATTR, b.setgroups);
  if (!b.oom_score_adj.empty()) w.str(OOM_SCORE_ADJ_ATTR, b.oom_score_adj);
  w.boolean(ROOTLESS_EUID_ATTR, b.rootless_euid);
  if (!b.uid_map_path.empty()) w.str(UIDMAPPATH_ATTR, b.uid_map_path);
  if (!b.gid_map_path.empty()) w.str(GIDMAPPATH_ATTR, b.gid_map_path);
  if (!b.timens_offsets.empty()) w.str(TIMENSOFFSET_ATTR, b.timens_offsets);
  for (const auto& cg : b.cgroups) w.str(CGROUP_ATTR, cg);
  w.u32(PDEATHSIG_ATTR, b.pdeathsig);

  for (const auto& a : b.args) w.str(ARG_ATTR, a);
  for (const auto& e : b.env) w.str(ENV_ATTR, e);
  w.str(CWD_ATTR, b.cwd);
  if (!b.hostname.empty()) w.str(HOSTNAME_ATTR, b.hostname);
  w.u32(UID_ATTR, b.uid);
  w.u32(GID_ATTR, b.gid);
  for (uint32_t g : b.groups) w.u32(GROUP_ATTR, g);
  for (const auto& m : b.mounts) {
    size_t at = w.begin_nested(MOUNT_ATTR);
    w.u32(MNT_KIND, static_cast<uint32_t>(m.kind));
    if (!m.source.empty()) w.str(MNT_SOURCE, m.source);
    w.str(MNT_TARGET, m.target);
    if (!m.data.empty()) w.str(MNT_DATA, m.data);
    if (m.flags) w.u32(MNT_FLAGS, m.flags);
    if (m.mode) w.u32(MNT_MODE, m.mode);
    if (m.size) w.u64(MNT_SIZE, m.size);
    w.end_nested(at);
  }
  for (const auto& r : b.rlimits) {
    RlimitWire wire{r.resource, 0, r.soft, r.hard};
    w.bytes(RLIMIT_ATTR, &wire, sizeof wire);
  }
  w.u64(CAPS_ATTR, b.caps);
  w.boolean(NO_NEW_PRIVS_ATTR, b.no_new_privs);
  if (!b.seccomp.empty()) {
    if (b.seccomp.size() % 8 != 0) {
      *err = "seccomp program is not a whole number of instructions";
      return false;
    }
    w.bytes(SECCOMP_ATTR, b.seccomp.data(), b.seccomp.size());
  }
  w.u32(FLAGS_ATTR, b.flags);
  w.u32(EXTRA_FDS_ATTR, b.extra_fds);
  w.u32(LOG_LEVEL_ATTR, b.log_level);
  if (b.signal) w.u32(SIGNAL_ATTR, b.signal);
  if (b.flags & BF_TERMINAL) w.u32(TERMINAL_ATTR, b.terminal_size);
  return w.finish(out, err);
}

bool decode_bootstrap(const uint8_t* buf, size_t len, Bootstrap* b, std::string* err) {
  const uint8_t* attrs;
  size_t attrs_len;
  if (!open_message(buf, len, INIT_MSG, &attrs, &attrs_len, err)) return false;
  *b = Bootstrap{};
  Reader r(attrs, attrs_len);
  Attr a;
  std::vector<uint16_t> seen;
  auto once = [&](const Attr& at) {
    for (uint16_t s : seen)
      if (s == at.type) {
        *err = "attribute " + std::to_string(at.type) + " given twice";
        return false;
      }
    seen.push_back(at.type);
    return true;
  };
  while (r.next(&a)) {
    bool ok = true;
    std::string s;
    uint32_t u;
    switch (a.type) {
      case CLONE_FLAGS_ATTR: ok = once(a) && get_u32(a, &b->clone_flags, err); break;
      case NS_PATHS_ATTR:
        ok = once(a) && get_str(a, &s, err) && parse_ns_paths(s, &b->ns_paths, err);
        break;
      case NESTED_PATHS_ATTR:
        ok = once(a) && get_str(a, &s, err) && parse_ns_paths(s, &b->nested_paths, err);
        break;
      case UIDMAP_ATTR: ok = once(a) && get_str(a, &b->uid_map, err); break;
      case GIDMAP_ATTR: ok = once(a) && get_str(a, &b->gid_map, err); break;
      case SETGROUP_ATTR: ok = once(a) && get_bool(a, &b->setgroups, err); break;
      case OOM_SCORE_ADJ_ATTR: ok = once(a) && get_str(a, &b->oom_score_adj, err); break;
      case ROOTLESS_EUID_ATTR: ok = once(a) && get_bool(a, &b->rootless_euid, err); break;
      case UIDMAPPATH_ATTR: ok = once(a) && get_str(a, &b->uid_map_path, err); break;
      case GIDMAPPATH_ATTR: ok = once(a) && get_str(a, &b->gid_map_path, err); break;
      case TIMENSOFFSET_ATTR: ok = once(a) && get_str(a, &b->timens_offsets, err); break;
      case CGROUP_ATTR:
        ok = get_str(a, &s, err);
        b->cgroups.push_back(s);
        break;
      case PDEATHSIG_ATTR: ok = once(a) && get_u32(a, &b->pdeathsig, err); break;
      case ARG_ATTR:
        ok = get_str(a, &s, err);
        b->args.push_back(s);
        break;
      case ENV_ATTR:
        ok = get_str(a, &s, err);
        b->env.push_back(s);
        break;
      case CWD_ATTR: ok = once(a) && get_str(a, &b->cwd, err); break;
      case HOSTNAME_ATTR: ok = once(a) && get_str(a, &b->hostname, err); break;
      case UID_ATTR: ok = once(a) && get_u32(a, &b->uid, err); break;
      case GID_ATTR: ok = once(a) && get_u32(a, &b->gid, err); break;
      case GROUP_ATTR:
        ok = get_u32(a, &u, err);
        b->groups.push_back(u);
        break;
      case MOUNT_ATTR: {
        MountOp m;
        ok = decode_mount(a, &m, err);
        b->mounts.push_back(std::move(m));
        break;
      }
      case RLIMIT_ATTR: {
        RlimitWire wire;
        if (a.len != sizeof wire) {
          *err = "rlimit attribute should hold " + std::to_string(sizeof wire) + " bytes";
          ok = false;
        } else {
          std::memcpy(&wire, a.data, sizeof wire);
          b->rlimits.push_back({wire.resource, wire.soft, wire.hard});
        }
        break;
      }
      case CAPS_ATTR: ok = once(a) && get_u64(a, &b->caps, err); break;
      case NO_NEW_PRIVS_ATTR: ok = once(a) && get_bool(a, &b->no_new_privs, err); break;
      case SECCOMP_ATTR:
        ok = once(a);
        if (ok && (a.len == 0 || a.len % 8 != 0)) {
          *err = "seccomp program is not a whole number of instructions";
          ok = false;
        }
        if (ok) b->seccomp.assign(a.data, a.data + a.len);
        break;
      case FLAGS_ATTR: ok = once(a) && get_u32(a, &b->flags, err); break;
      case EXTRA_FDS_ATTR: ok = once(a) && get_u32(a, &b->extra_fds, err); break;
      case LOG_LEVEL_ATTR: ok = once(a) && get_u32(a, &b->log_level, err); break;
      case SIGNAL_ATTR: ok = once(a) && get_u32(a, &b->signal, err); break;
      case TERMINAL_ATTR: ok = once(a) && get_u32(a, &b->terminal_size, err); break;
      default:
        *err = "unknown attribute " + std::to_string(a.type) + " at offset " +
               std::to_string(a.offset);
        ok = false;
    }
    if (!ok) return false;
  }
  if (!r.error().empty()) {
    *err = r.error();
    return false;
  }
  if (b->args.empty()) {
    *err = "bootstrap has no program (no argument attribute)";
    return false;
  }
  return true;
}

}  // namespace nsj::proto

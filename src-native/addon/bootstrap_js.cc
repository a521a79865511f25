#include "bootstrap_js.h"

#include <cstdint>
#include <limits>

namespace nsj {

namespace {

[[noreturn]] void bad(Napi::Env env, const std::string& field, const char* want) {
  throw Napi::TypeError::New(env, "bootstrap." + field + " must be " + want);
}

Napi::Value field(const Napi::Object& o, const char* name) { return o.Get(name); }

std::string get_str(const Napi::Object& o, const char* name, const std::string& path) {
  Napi::Value v = field(o, name);
  if (v.IsUndefined()) return "";
  if (!v.IsString()) bad(o.Env(), path + name, "a string");
  return v.As<Napi::String>().Utf8Value();
}

uint32_t get_u32(const Napi::Object& o, const char* name, const std::string& path, uint32_t dflt = 0) {
  Napi::Value v = field(o, name);
  if (v.IsUndefined()) return dflt;
  if (!v.IsNumber()) bad(o.Env(), path + name, "a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (d < 0 || d > 4294967295.0 || d != static_cast<double>(static_cast<uint64_t>(d)))
    bad(o.Env(), path + name, "an unsigned 32-bit integer");
  return static_cast<uint32_t>(d);
}

uint64_t get_u64(const Napi::Object& o, const char* name, const std::string& path) {
  Napi::Value v = field(o, name);
  if (v.IsUndefined()) return 0;
  if (!v.IsNumber()) bad(o.Env(), path + name, "a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (d == -1) return UINT64_MAX;  // "unlimited"
  if (d < 0 || d > 9007199254740991.0 || d != static_cast<double>(static_cast<uint64_t>(d)))
    bad(o.Env(), path + name, "a non-negative safe integer or -1");
  return static_cast<uint64_t>(d);
}

bool get_bool(const Napi::Object& o, const char* name, const std::string& path, bool dflt) {
  Napi::Value v = field(o, name);
  if (v.IsUndefined()) return dflt;
  if (!v.IsBoolean()) bad(o.Env(), path + name, "a boolean");
  return v.As<Napi::Boolean>().Value();
}

Napi::Array get_array(const Napi::Object& o, const char* name, const std::string& path) {
  Napi::Value v = field(o, name);
  if (v.IsUndefined()) return Napi::Array::New(o.Env());
  if (!v.IsArray()) bad(o.Env(), path + name, "an array");
  return v.As<Napi::Array>();
}

std::vector<std::string> get_strings(const Napi::Object& o, const char* name) {
  std::vector<std::string> out;
  Napi::Array a = get_array(o, name, "");
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value v = a.Get(i);
    if (!v.IsString()) bad(o.Env(), std::string(name) + "[" + std::to_string(i) + "]", "a string");
    out.push_back(v.As<Napi::String>().Utf8Value());
  }
  return out;
}

Napi::Array strings_to_js(Napi::Env env, const std::vector<std::string>& v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); i++) a.Set(static_cast<uint32_t>(i), v[i]);
  return a;
}

double u64_to_js(uint64_t v) { return v == UINT64_MAX ? -1 : static_cast<double>(v); }

}  // namespace

proto::Bootstrap bootstrap_from_js(const Napi::Object& spec) {
  Napi::Env env = spec.Env();
  proto::Bootstrap b;
  b.clone_flags = get_u32(spec, "cloneFlags", "");
  Napi::Array ns = get_array(spec, "nsPaths", "");
  for (uint32_t i = 0; i < ns.Length(); i++) {
    Napi::Value v = ns.Get(i);
    std::string at = "nsPaths[" + std::to_string(i) + "].";
    if (!v.IsObject()) bad(env, at, "an object");
    b.ns_paths.push_back({get_str(v.As<Napi::Object>(), "type", at), get_str(v.As<Napi::Object>(), "path", at)});
  }
  Napi::Array nested = get_array(spec, "nestedPaths", "");
  for (uint32_t i = 0; i < nested.Length(); i++) {
    Napi::Value v = nested.Get(i);
    std::string at = "nestedPaths[" + std::to_string(i) + "].";
    if (!v.IsObject()) bad(env, at, "an object");
    b.nested_paths.push_back({get_str(v.As<Napi::Object>(), "type", at), get_str(v.As<Napi::Object>(), "path", at)});
  }
  b.uid_map = get_str(spec, "uidMap", "");
  b.gid_map = get_str(spec, "gidMap", "");
  b.uid_map_path = get_str(spec, "uidMapPath", "");
  b.gid_map_path = get_str(spec, "gidMapPath", "");
  b.setgroups = get_bool(spec, "setgroups", "", false);
  b.oom_score_adj = get_str(spec, "oomScoreAdj", "");
  b.rootless_euid = get_bool(spec, "rootlessEuid", "", false);
  b.timens_offsets = get_str(spec, "timensOffsets", "");
  b.cgroups = get_strings(spec, "cgroups");
  b.pdeathsig = get_u32(spec, "pdeathsig", "", 9);
  b.args = get_strings(spec, "args");
  b.env = get_strings(spec, "env");
  b.cwd = get_str(spec, "cwd", "");
  if (b.cwd.empty()) b.cwd = "/";
  b.hostname = get_str(spec, "hostname", "");
  b.uid = get_u32(spec, "uid", "");
  b.gid = get_u32(spec, "gid", "");
  Napi::Array groups = get_array(spec, "groups", "");
  for (uint32_t i = 0; i < groups.Length(); i++) {
    Napi::Object holder = Napi::Object::New(env);
    holder.Set("g", groups.Get(i));
    b.groups.push_back(get_u32(holder, "g", "groups[" + std::to_string(i) + "]."));
  }
  Napi::Array mounts = get_array(spec, "mounts", "");
  for (uint32_t i = 0; i < mounts.Length(); i++) {
    Napi::Value v = mounts.Get(i);
    std::string at = "mounts[" + std::to_string(i) + "].";
    if (!v.IsObject()) bad(env, at, "an object");
    Napi::Object m = v.As<Napi::Object>();
    proto::MountOp op;
    op.kind = static_cast<proto::MountKind>(get_u32(m, "kind", at));
    op.source = get_str(m, "source", at);
    op.target = get_str(m, "target", at);
    op.data = get_str(m, "data", at);
    op.flags = get_u32(m, "flags", at);
    op.mode = get_u32(m, "mode", at);
    op.size = get_u64(m, "size", at);
    b.mounts.push_back(std::move(op));
  }
  Napi::Array rl = get_array(spec, "rlimits", "");
  for (uint32_t i = 0; i < rl.Length(); i++) {
    Napi::Value v = rl.Get(i);
    std::string at = "rlimits[" + std::to_string(i) + "].";
    if (!v.IsObject()) bad(env, at, "an object");
    Napi::Object r = v.As<Napi::Object>();
    b.rlimits.push_back({get_u32(r, "resource", at), get_u64(r, "soft", at), get_u64(r, "hard", at)});
  }
  Napi::Array caps = get_array(spec, "caps", "");
  for (uint32_t i = 0; i < caps.Length(); i++) {
    Napi::Object holder = Napi::Object::New(env);
    holder.Set("c", caps.Get(i));
    uint32_t c = get_u32(holder, "c", "caps[" + std::to_string(i) + "].");
    if (c > 63) bad(env, "caps[" + std::to_string(i) + "]", "a capability number below 64");
    b.caps |= 1ull << c;
  }
  b.no_new_privs = get_bool(spec, "noNewPrivs", "", true);
  Napi::Value sc = spec.Get("seccomp");
  if (!sc.IsUndefined() && !sc.IsNull()) {
    if (!sc.IsBuffer()) bad(env, "seccomp", "a Buffer or null");
    auto buf = sc.As<Napi::Buffer<uint8_t>>();
    b.seccomp.assign(buf.Data(), buf.Data() + buf.Length());
  }
  b.flags = get_u32(spec, "flags", "");
  b.extra_fds = get_u32(spec, "extraFds", "");
  b.log_level = get_u32(spec, "logLevel", "");
  b.signal = get_u32(spec, "signal", "");
  if (b.signal > 64) bad(env, "signal", "a signal number");
  uint32_t cols = get_u32(spec, "terminalCols", "", 80), rows = get_u32(spec, "terminalRows", "", 24);
  if (cols == 0 || cols > 0xFFFF || rows == 0 || rows > 0xFFFF) bad(env, "terminalCols/terminalRows", "between 1 and 65535");
  b.terminal_size = (cols << 16) | rows;
  return b;
}

Napi::Object bootstrap_to_js(Napi::Env env, const proto::Bootstrap& b) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("cloneFlags", b.clone_flags);
  Napi::Array ns = Napi::Array::New(env, b.ns_paths.size());
  for (size_t i = 0; i < b.ns_paths.size(); i++) {
    Napi::Object e = Napi::Object::New(env);
    e.Set("type", b.ns_paths[i].type);
    e.Set("path", b.ns_paths[i].path);
    ns.Set(static_cast<uint32_t>(i), e);
  }
  o.Set("nsPaths", ns);
  Napi::Array nested = Napi::Array::New(env, b.nested_paths.size());
  for (size_t i = 0; i < b.nested_paths.size(); i++) {
    Napi::Object e = Napi::Object::New(env);
    e.Set("type", b.nested_paths[i].type);
    e.Set("path", b.nested_paths[i].path);
    nested.Set(static_cast<uint32_t>(i), e);
  }
  o.Set("nestedPaths", nested);
  o.Set("uidMap", b.uid_map);
  o.Set("gidMap", b.gid_map);
  o.Set("uidMapPath", b.uid_map_path);
  o.Set("gidMapPath", b.gid_map_path);
  o.Set("setgroups", b.setgroups);
  o.Set("oomScoreAdj", b.oom_score_adj);
  o.Set("rootlessEuid", b.rootless_euid);
  o.Set("timensOffsets", b.timens_offsets);
  o.Set("cgroups", strings_to_js(env, b.cgroups));
  o.Set("pdeathsig", b.pdeathsig);
  o.Set("args", strings_to_js(env, b.args));
  o.Set("env", strings_to_js(env, b.env));
  o.Set("cwd", b.cwd);
  o.Set("hostname", b.hostname);
  o.Set("uid", b.uid);
  o.Set("gid", b.gid);
  Napi::Array groups = Napi::Array::New(env, b.groups.size());
  for (size_t i = 0; i < b.groups.size(); i++) groups.Set(static_cast<uint32_t>(i), b.groups[i]);
  o.Set("groups", groups);
  Napi::Array mounts = Napi::Array::New(env, b.mounts.size());
  for (size_t i = 0; i < b.mounts.size(); i++) {
    const auto& m = b.mounts[i];
    Napi::Object e = Napi::Object::New(env);
    e.Set("kind", static_cast<uint32_t>(m.kind));
    e.Set("source", m.source);
    e.Set("target", m.target);
    e.Set("data", m.data);
    e.Set("flags", m.flags);
    e.Set("mode", m.mode);
    e.Set("size", u64_to_js(m.size));
    mounts.Set(static_cast<uint32_t>(i), e);
  }
  o.Set("mounts", mounts);
  Napi::Array rl = Napi::Array::New(env, b.rlimits.size());
  for (size_t i = 0; i < b.rlimits.size(); i++) {
    Napi::Object e = Napi::Object::New(env);
    e.Set("resource", b.rlimits[i].resource);
    e.Set("soft", u64_to_js(b.rlimits[i].soft));
    e.Set("hard", u64_to_js(b.rlimits[i].hard));
    rl.Set(static_cast<uint32_t>(i), e);
  }
  o.Set("rlimits", rl);
  Napi::Array caps = Napi::Array::New(env);
  for (uint32_t c = 0; c < 64; c++)
    if (b.caps & (1ull << c)) caps.Set(caps.Length(), c);
  o.Set("caps", caps);
  o.Set("noNewPrivs", b.no_new_privs);
  if (b.seccomp.empty())
    o.Set("seccomp", env.Null());
  else
    o.Set("seccomp", Napi::Buffer<uint8_t>::Copy(env, b.seccomp.data(), b.seccomp.size()));
  o.Set("flags", b.flags);
  o.Set("extraFds", b.extra_fds);
  o.Set("logLevel", b.log_level);
  o.Set("signal", b.signal);
  o.Set("terminalCols", b.terminal_size >> 16);
  o.Set("terminalRows", b.terminal_size & 0xFFFF);
  return o;
}

}  // namespace nsj

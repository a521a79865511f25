// The bootstrap message in its JavaScript shape (src-ts/native.ts BootstrapSpec): one
// JsCodec per C++ member type, applied to the rows of NSJ_BOOTSTRAP_ATTRS and
// NSJ_MOUNT_ATTRS. A field JS leaves undefined keeps its default.
#include "bootstrap_js.h"

#include <cstdint>

#include "../protocol/files.h"
#include "../protocol/namespace_table.h"
#include "../protocol/report.h"

namespace nsj {

namespace {

using namespace proto;

[[noreturn]] void bad(Napi::Env env, const std::string& field, const char* want) {
  throw Napi::TypeError::New(env, "bootstrap." + field + " must be " + want);
}

template <class T>
struct JsCodec;

double number(const Napi::Value& v, const std::string& path) {
  if (!v.IsNumber()) bad(v.Env(), path, "a number");
  return v.As<Napi::Number>().DoubleValue();
}

template <>
struct JsCodec<uint32_t> {
  static void from(const Napi::Value& v, uint32_t* out, const std::string& path) {
    double d = number(v, path);
    if (d < 0 || d > 4294967295.0 || d != static_cast<double>(static_cast<uint64_t>(d))) bad(v.Env(), path, "an unsigned 32-bit integer");
    *out = static_cast<uint32_t>(d);
  }
  static Napi::Value to(Napi::Env env, uint32_t v) { return Napi::Number::New(env, v); }
};

// -1 stands for "unlimited" (UINT64_MAX).
template <>
struct JsCodec<uint64_t> {
  static void from(const Napi::Value& v, uint64_t* out, const std::string& path) {
    double d = number(v, path);
    if (d == -1) {
      *out = UINT64_MAX;
      return;
    }
    if (d < 0 || d > 9007199254740991.0 || d != static_cast<double>(static_cast<uint64_t>(d)))
      bad(v.Env(), path, "a non-negative safe integer or -1");
    *out = static_cast<uint64_t>(d);
  }
  static Napi::Value to(Napi::Env env, uint64_t v) { return Napi::Number::New(env, v == UINT64_MAX ? -1 : static_cast<double>(v)); }
};

template <>
struct JsCodec<bool> {
  static void from(const Napi::Value& v, bool* out, const std::string& path) {
    if (!v.IsBoolean()) bad(v.Env(), path, "a boolean");
    *out = v.As<Napi::Boolean>().Value();
  }
  static Napi::Value to(Napi::Env env, bool v) { return Napi::Boolean::New(env, v); }
};

template <>
struct JsCodec<std::string> {
  static void from(const Napi::Value& v, std::string* out, const std::string& path) {
    if (!v.IsString()) bad(v.Env(), path, "a string");
    *out = v.As<Napi::String>().Utf8Value();
  }
  static Napi::Value to(Napi::Env env, const std::string& v) { return Napi::String::New(env, v); }
};

template <>
struct JsCodec<MountKind> {
  static void from(const Napi::Value& v, MountKind* out, const std::string& path) {
    uint32_t k;
    JsCodec<uint32_t>::from(v, &k, path);
    *out = static_cast<MountKind>(k);  // the decoder checks it is a known kind
  }
  static Napi::Value to(Napi::Env env, MountKind v) { return Napi::Number::New(env, static_cast<uint32_t>(v)); }
};

// A list of numbers (JS) <-> bit n set (C++).
template <>
struct JsCodec<Caps> {
  static void from(const Napi::Value& v, Caps* out, const std::string& path) {
    if (!v.IsArray()) bad(v.Env(), path, "an array of capability numbers");
    Napi::Array a = v.As<Napi::Array>();
    out->bits = 0;
    for (uint32_t i = 0; i < a.Length(); i++) {
      uint32_t c;
      JsCodec<uint32_t>::from(a.Get(i), &c, path + "[" + std::to_string(i) + "]");
      if (c > 63) bad(v.Env(), path + "[" + std::to_string(i) + "]", "a capability number below 64");
      out->bits |= 1ull << c;
    }
  }
  static Napi::Value to(Napi::Env env, const Caps& v) {
    Napi::Array a = Napi::Array::New(env);
    for (uint32_t c = 0; c < 64; c++)
      if (v.bits & (1ull << c)) a.Set(a.Length(), c);
    return a;
  }
};

template <>
struct JsCodec<std::vector<uint8_t>> {
  static void from(const Napi::Value& v, std::vector<uint8_t>* out, const std::string& path) {
    if (v.IsNull()) return;
    if (!v.IsBuffer()) bad(v.Env(), path, "a Buffer or null");
    auto b = v.As<Napi::Buffer<uint8_t>>();
    out->assign(b.Data(), b.Data() + b.Length());
  }
  static Napi::Value to(Napi::Env env, const std::vector<uint8_t>& v) {
    if (v.empty()) return env.Null();
    return Napi::Buffer<uint8_t>::Copy(env, v.data(), v.size());
  }
};

template <class E>
struct JsCodec<std::vector<E>> {
  static void from(const Napi::Value& v, std::vector<E>* out, const std::string& path) {
    if (!v.IsArray()) bad(v.Env(), path, "an array");
    Napi::Array a = v.As<Napi::Array>();
    out->clear();
    for (uint32_t i = 0; i < a.Length(); i++) {
      out->emplace_back();
      JsCodec<E>::from(a.Get(i), &out->back(), path + "[" + std::to_string(i) + "]");
    }
  }
  static Napi::Value to(Napi::Env env, const std::vector<E>& v) {
    Napi::Array a = Napi::Array::New(env, v.size());
    for (size_t i = 0; i < v.size(); i++) a.Set(static_cast<uint32_t>(i), JsCodec<E>::to(env, v[i]));
    return a;
  }
};

Napi::Object object(const Napi::Value& v, const std::string& path) {
  if (!v.IsObject() || v.IsArray()) bad(v.Env(), path, "an object");
  return v.As<Napi::Object>();
}

// Reads `name` into `member` when JS gave it.
template <class T>
void read(const Napi::Object& o, const char* name, T* member, const std::string& at) {
  Napi::Value v = o.Get(name);
  if (!v.IsUndefined()) JsCodec<T>::from(v, member, at + name);
}

template <>
struct JsCodec<NsPath> {
  static void from(const Napi::Value& v, NsPath* out, const std::string& path) {
    Napi::Object o = object(v, path);
    read(o, "type", &out->type, path + ".");
    read(o, "path", &out->path, path + ".");
  }
  static Napi::Value to(Napi::Env env, const NsPath& v) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("type", v.type);
    o.Set("path", v.path);
    return o;
  }
};

template <>
struct JsCodec<NsPathList> {
  static void from(const Napi::Value& v, NsPathList* out, const std::string& path) { JsCodec<std::vector<NsPath>>::from(v, &out->items, path); }
  static Napi::Value to(Napi::Env env, const NsPathList& v) { return JsCodec<std::vector<NsPath>>::to(env, v.items); }
};

template <>
struct JsCodec<Rlimit> {
  static void from(const Napi::Value& v, Rlimit* out, const std::string& path) {
    Napi::Object o = object(v, path);
    read(o, "resource", &out->resource, path + ".");
    read(o, "soft", &out->soft, path + ".");
    read(o, "hard", &out->hard, path + ".");
  }
  static Napi::Value to(Napi::Env env, const Rlimit& v) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("resource", JsCodec<uint32_t>::to(env, v.resource));
    o.Set("soft", JsCodec<uint64_t>::to(env, v.soft));
    o.Set("hard", JsCodec<uint64_t>::to(env, v.hard));
    return o;
  }
};

template <>
struct JsCodec<MountOp> {
  static void from(const Napi::Value& v, MountOp* out, const std::string& path) {
    Napi::Object o = object(v, path);
#define NSJ_X(NAME, ID, member, js) read(o, js, &out->member, path + ".");
    NSJ_MOUNT_ATTRS(NSJ_X)
#undef NSJ_X
  }
  static Napi::Value to(Napi::Env env, const MountOp& v) {
    Napi::Object o = Napi::Object::New(env);
#define NSJ_X(NAME, ID, member, js) o.Set(js, JsCodec<decltype(v.member)>::to(env, v.member));
    NSJ_MOUNT_ATTRS(NSJ_X)
#undef NSJ_X
    return o;
  }
};

}  // namespace

proto::Bootstrap bootstrap_from_js(const Napi::Object& spec) {
  proto::Bootstrap b;
#define NSJ_X(NAME, ID, member, js) read(spec, js, &b.member, "");
  NSJ_BOOTSTRAP_ATTRS(NSJ_X)
#undef NSJ_X
  return b;
}

Napi::Object bootstrap_to_js(Napi::Env env, const proto::Bootstrap& b) {
  Napi::Object o = Napi::Object::New(env);
#define NSJ_X(NAME, ID, member, js) o.Set(js, JsCodec<decltype(b.member)>::to(env, b.member));
  NSJ_BOOTSTRAP_ATTRS(NSJ_X)
#undef NSJ_X
  return o;
}

Napi::Object protocol_constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
  Napi::Object kinds = Napi::Object::New(env), mflags = Napi::Object::New(env), bflags = Napi::Object::New(env);
#define NSJ_X(Name, value, what) kinds.Set(#Name, static_cast<uint32_t>(value));
  NSJ_MOUNT_KINDS(NSJ_X)
#undef NSJ_X
#define NSJ_X(NAME, Js, value, what) mflags.Set(#Js, static_cast<uint32_t>(value));
  NSJ_MOUNT_FLAGS(NSJ_X)
#undef NSJ_X
#define NSJ_X(NAME, Js, value, what) bflags.Set(#Js, static_cast<uint32_t>(value));
  NSJ_BOOT_FLAGS(NSJ_X)
#undef NSJ_X
  Napi::Array fields = Napi::Array::New(env);
#define NSJ_X(NAME, ID, member, js) fields.Set(fields.Length(), js);
  NSJ_BOOTSTRAP_ATTRS(NSJ_X)
#undef NSJ_X
  Napi::Array mount_fields = Napi::Array::New(env);
#define NSJ_X(NAME, ID, member, js) mount_fields.Set(mount_fields.Length(), js);
  NSJ_MOUNT_ATTRS(NSJ_X)
#undef NSJ_X
  Napi::Array namespaces = Napi::Array::New(env);
  for (const auto& ns : proto::kNamespaces) {
    Napi::Object e = Napi::Object::New(env);
    e.Set("type", ns.type);
    e.Set("proc", ns.proc);
    e.Set("cloneFlag", ns.clone_flag);
    namespaces.Set(namespaces.Length(), e);
  }
  Napi::Object stages = Napi::Object::New(env);
  for (uint32_t s = proto::STAGE_PARENT; s <= proto::STAGE_MAIN; s++) stages.Set(proto::stage_name(s), s);
  c.Set("mountKind", kinds);
  c.Set("mountFlag", mflags);
  c.Set("bootFlag", bflags);
  c.Set("bootstrapFields", fields);
  c.Set("mountFields", mount_fields);
  c.Set("namespaces", namespaces);
  c.Set("stage", stages);
  Napi::Object frames = Napi::Object::New(env);
#define NSJ_X(NAME, Js, value, what) frames.Set(#Js, static_cast<uint32_t>(value));
  NSJ_FILE_FRAMES(NSJ_X)
#undef NSJ_X
  c.Set("fileFrame", frames);
  c.Set("fileChunk", proto::kFileChunk);
  return c;
}

}  // namespace nsj

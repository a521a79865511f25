// How each C++ type of a bootstrap member travels as netlink attributes: one Codec per
// type, used by the rows of NSJ_BOOTSTRAP_ATTRS and NSJ_MOUNT_ATTRS (bootstrap.cc).
//   repeated   one attribute per element, appended in order when decoded; otherwise
//              the attribute may appear once
//   put / get  encode one value (or element) / decode one attribute into it
#pragma once
#include <cstring>
#include <string>
#include <vector>

#include "bootstrap.h"
#include "netlink.h"

namespace nsj::proto::wire {

// Strings may continue in STRING_CONT_ATTR attributes right after them.
constexpr size_t kMaxString = 1u << 20;
struct DecodeState {
  std::string* last_str = nullptr;  // what a STRING_CONT_ATTR appends to
};

template <class T>
struct Codec;

template <>
struct Codec<uint32_t> {
  static constexpr bool repeated = false;
  static void put(Writer& w, uint16_t t, uint32_t v) { w.u32(t, v); }
  static bool get(const Attr& a, uint32_t* v, DecodeState&, std::string* err) { return get_u32(a, v, err); }
};

template <>
struct Codec<uint64_t> {
  static constexpr bool repeated = false;
  static void put(Writer& w, uint16_t t, uint64_t v) { w.u64(t, v); }
  static bool get(const Attr& a, uint64_t* v, DecodeState&, std::string* err) { return get_u64(a, v, err); }
};

template <>
struct Codec<bool> {
  static constexpr bool repeated = false;
  static void put(Writer& w, uint16_t t, bool v) { w.boolean(t, v); }
  static bool get(const Attr& a, bool* v, DecodeState&, std::string* err) { return get_bool(a, v, err); }
};

template <>
struct Codec<std::string> {
  static constexpr bool repeated = false;
  // In chunks: the first under its own id, the rest as STRING_CONT_ATTR.
  static void put(Writer& w, uint16_t t, const std::string& s) {
    constexpr size_t chunk = kMaxAttrPayload - 1;  // room for the NUL
    w.str(t, std::string_view(s).substr(0, chunk));
    for (size_t at = chunk; at < s.size(); at += chunk) w.str(STRING_CONT_ATTR, std::string_view(s).substr(at, chunk));
  }
  static bool get(const Attr& a, std::string* v, DecodeState& st, std::string* err) {
    if (!get_str(a, v, err)) return false;
    st.last_str = v;
    return true;
  }
};

template <>
struct Codec<std::vector<std::string>> {
  static constexpr bool repeated = true;
  static void put(Writer& w, uint16_t t, const std::vector<std::string>& v) {
    for (const auto& s : v) Codec<std::string>::put(w, t, s);
  }
  static bool get(const Attr& a, std::vector<std::string>* v, DecodeState& st, std::string* err) {
    v->emplace_back();
    return Codec<std::string>::get(a, &v->back(), st, err);
  }
};

template <>
struct Codec<std::vector<uint32_t>> {
  static constexpr bool repeated = true;
  static void put(Writer& w, uint16_t t, const std::vector<uint32_t>& v) {
    for (uint32_t x : v) w.u32(t, x);
  }
  static bool get(const Attr& a, std::vector<uint32_t>* v, DecodeState&, std::string* err) {
    uint32_t x;
    if (!get_u32(a, &x, err)) return false;
    v->push_back(x);
    return true;
  }
};

template <>
struct Codec<std::vector<uint8_t>> {
  static constexpr bool repeated = false;
  static void put(Writer& w, uint16_t t, const std::vector<uint8_t>& v) { w.bytes(t, v.data(), v.size()); }
  static bool get(const Attr& a, std::vector<uint8_t>* v, DecodeState&, std::string* err) {
    if (a.len == 0) {
      *err = "attribute " + std::to_string(a.type) + " is empty";
      return false;
    }
    v->assign(a.data, a.data + a.len);
    return true;
  }
};

template <>
struct Codec<Caps> {
  static constexpr bool repeated = false;
  static void put(Writer& w, uint16_t t, const Caps& v) { w.u64(t, v.bits); }
  static bool get(const Attr& a, Caps* v, DecodeState&, std::string* err) { return get_u64(a, &v->bits, err); }
};

template <>
struct Codec<NsPathList> {
  static constexpr bool repeated = false;
  static void put(Writer& w, uint16_t t, const NsPathList& v) {
    std::string text, err;
    if (format_ns_paths(v, &text, &err))
      w.str(t, text);
    else
      w.fail_with(err);
  }
  static bool get(const Attr& a, NsPathList* v, DecodeState&, std::string* err) {
    std::string text;
    return get_str(a, &text, err) && parse_ns_paths(text, v, err);
  }
};

// Fixed-size payload: {u32 resource, u32 0, u64 soft, u64 hard}.
template <>
struct Codec<std::vector<Rlimit>> {
  struct Raw {
    uint32_t resource, pad;
    uint64_t soft, hard;
  };
  static constexpr bool repeated = true;
  static void put(Writer& w, uint16_t t, const std::vector<Rlimit>& v) {
    for (const auto& r : v) {
      Raw raw{r.resource, 0, r.soft, r.hard};
      w.bytes(t, &raw, sizeof raw);
    }
  }
  static bool get(const Attr& a, std::vector<Rlimit>* v, DecodeState&, std::string* err) {
    Raw raw;
    if (a.len != sizeof raw) {
      *err = "rlimit attribute should hold " + std::to_string(sizeof raw) + " bytes";
      return false;
    }
    std::memcpy(&raw, a.data, sizeof raw);
    v->push_back({raw.resource, raw.soft, raw.hard});
    return true;
  }
};

template <>
struct Codec<MountKind> {
  static constexpr bool repeated = false;
  static void put(Writer& w, uint16_t t, MountKind v) { w.u32(t, static_cast<uint32_t>(v)); }
  static bool get(const Attr& a, MountKind* v, DecodeState&, std::string* err) {
    uint32_t k;
    if (!get_u32(a, &k, err)) return false;
    bool known = false;
#define NSJ_X(Name, value, what) known = known || k == (value);
    NSJ_MOUNT_KINDS(NSJ_X)
#undef NSJ_X
    if (!known) {
      *err = "unknown mount kind " + std::to_string(k);
      return false;
    }
    *v = static_cast<MountKind>(k);
    return true;
  }
};

// Nested: one MOUNT_ATTR per operation holding its NSJ_MOUNT_ATTRS (bootstrap.cc).
template <>
struct Codec<std::vector<MountOp>> {
  static constexpr bool repeated = true;
  static void put(Writer& w, uint16_t t, const std::vector<MountOp>& v);
  static bool get(const Attr& a, std::vector<MountOp>* v, DecodeState& st, std::string* err);
};

}  // namespace nsj::proto::wire

#include "bootstrap.h"

#include <algorithm>

#include "namespace_table.h"
#include "netlink.h"
#include "wire.h"

namespace nsj::proto {

namespace {

using wire::Codec;
using wire::DecodeState;

// A member whose value is its default is not sent: decoding starts from the defaults.
template <class T>
void put_field(Writer& w, uint16_t id, const T& value, const T& dflt) {
  if (Codec<T>::repeated || !(value == dflt)) Codec<T>::put(w, id, value);
}

// Once for a single value; appended for a repeated one.
template <class T>
bool get_field(const Attr& a, T* member, std::vector<uint16_t>* seen, DecodeState& st, std::string* err) {
  if (!Codec<T>::repeated) {
    if (std::find(seen->begin(), seen->end(), a.type) != seen->end()) {
      *err = "attribute " + std::to_string(a.type) + " given twice";
      return false;
    }
    seen->push_back(a.type);
  }
  return Codec<T>::get(a, member, st, err);
}

bool append_continuation(const Attr& a, DecodeState& st, std::string* err) {
  std::string chunk;
  if (!st.last_str) {
    *err = "a string continuation that follows no string, at offset " + std::to_string(a.offset);
    return false;
  }
  if (!get_str(a, &chunk, err)) return false;
  if (st.last_str->size() + chunk.size() > wire::kMaxString) {
    *err = "a string longer than " + std::to_string(wire::kMaxString) + " bytes";
    return false;
  }
  *st.last_str += chunk;
  return true;
}

// The attributes of one run (the message, or one nested mount), by a row table.
template <class Decode>
bool decode_run(const uint8_t* data, size_t len, Decode&& decode_one, std::string* err) {
  Reader r(data, len);
  Attr a;
  DecodeState st;
  while (r.next(&a)) {
    if (a.type == STRING_CONT_ATTR) {
      if (!append_continuation(a, st, err)) return false;
      continue;
    }
    st.last_str = nullptr;  // a continuation must follow its string at once
    int result = decode_one(a, st);
    if (result < 0) {
      *err = "unknown attribute " + std::to_string(a.type) + " at offset " + std::to_string(a.offset);
      return false;
    }
    if (result == 0) return false;
  }
  if (!r.error().empty()) {
    *err = r.error();
    return false;
  }
  return true;
}

bool known_ns_type(const std::string& t) { return namespace_by_proc(t) != nullptr; }

}  // namespace

namespace wire {

void Codec<std::vector<MountOp>>::put(Writer& w, uint16_t t, const std::vector<MountOp>& v) {
  const MountOp dflt;
  for (const auto& m : v) {
    size_t at = w.begin_nested(t);
    // Kind and target always travel: a mount without them is refused.
    Codec<MountKind>::put(w, MNT_KIND, m.kind);
    Codec<std::string>::put(w, MNT_TARGET, m.target);
#define NSJ_X(NAME, ID, member, js) \
    if (NAME != MNT_KIND && NAME != MNT_TARGET) put_field(w, NAME, m.member, dflt.member);
    NSJ_MOUNT_ATTRS(NSJ_X)
#undef NSJ_X
    w.end_nested(at);
  }
}

bool Codec<std::vector<MountOp>>::get(const Attr& outer, std::vector<MountOp>* v, DecodeState&, std::string* err) {
  MountOp m;
  std::vector<uint16_t> seen;
  bool ok = decode_run(outer.data, outer.len, [&](const Attr& a, DecodeState& st) -> int {
    switch (a.type) {
#define NSJ_X(NAME, ID, member, js) \
      case NAME: return get_field(a, &m.member, &seen, st, err) ? 1 : 0;
      NSJ_MOUNT_ATTRS(NSJ_X)
#undef NSJ_X
    }
    return -1;
  }, err);
  if (!ok) {
    *err = "mount: " + *err;
    return false;
  }
  if (std::find(seen.begin(), seen.end(), MNT_KIND) == seen.end() || std::find(seen.begin(), seen.end(), MNT_TARGET) == seen.end()) {
    *err = "mount attribute without kind or target";
    return false;
  }
  v->push_back(std::move(m));
  return true;
}

}  // namespace wire

bool format_ns_paths(const NsPathList& in, std::string* out, std::string* err) {
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

bool parse_ns_paths(const std::string& in, NsPathList* out, std::string* err) {
  out->items.clear();
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
    for (const auto& prev : out->items)
      if (prev.type == ns.type) {
        *err = "namespace type '" + ns.type + "' given twice";
        return false;
      }
    out->items.push_back(std::move(ns));
    start = end + 1;
  }
  return true;
}

bool encode_bootstrap(const Bootstrap& b, std::vector<uint8_t>* out, std::string* err) {
  if (!b.seccomp.empty() && b.seccomp.size() % 8 != 0) {
    *err = "seccomp program is not a whole number of instructions";
    return false;
  }
  const Bootstrap dflt;
  Writer w(INIT_MSG);
#define NSJ_X(NAME, ID, member, js) put_field(w, NAME, b.member, dflt.member);
  NSJ_BOOTSTRAP_ATTRS(NSJ_X)
#undef NSJ_X
  return w.finish(out, err);
}

bool decode_bootstrap(const uint8_t* buf, size_t len, Bootstrap* b, std::string* err) {
  const uint8_t* attrs;
  size_t attrs_len;
  if (!open_message(buf, len, INIT_MSG, &attrs, &attrs_len, err)) return false;
  *b = Bootstrap{};
  std::vector<uint16_t> seen;
  bool ok = decode_run(attrs, attrs_len, [&](const Attr& a, DecodeState& st) -> int {
    switch (a.type) {
#define NSJ_X(NAME, ID, member, js) \
      case NAME: return get_field(a, &b->member, &seen, st, err) ? 1 : 0;
      NSJ_BOOTSTRAP_ATTRS(NSJ_X)
#undef NSJ_X
    }
    return -1;
  }, err);
  if (!ok) return false;
  if (b->seccomp.size() % 8 != 0 || (!b->seccomp.empty() && b->seccomp.size() < 8)) {
    *err = "seccomp program is not a whole number of instructions";
    return false;
  }
  if (b->args.empty()) {
    *err = "bootstrap has no program (no argument attribute)";
    return false;
  }
  return true;
}

}  // namespace nsj::proto

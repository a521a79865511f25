#include "netlink.h"

#include <cstring>

namespace nsj::proto {

namespace {

void write_u16(uint8_t* p, uint16_t v) { std::memcpy(p, &v, 2); }
void write_u32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }
uint16_t read_u16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
uint32_t read_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

std::string attr_label(const Attr& a) { return "attribute " + std::to_string(a.type); }

}  // namespace

Writer::Writer(uint16_t msg_type) : buf_(kMsgHeader, 0) {
  write_u16(&buf_[4], msg_type);
  // nlmsg_flags, nlmsg_seq, nlmsg_pid stay 0; nlmsg_len is set by finish().
}

void Writer::fail(std::string msg) {
  if (error_.empty()) error_ = std::move(msg);
}

void Writer::put(uint16_t type, const void* data, size_t len) {
  if (!ok()) return;
  if (len > kMaxAttrPayload) {
    fail("attribute " + std::to_string(type) + " is " + std::to_string(len) +
         " bytes; the limit is " + std::to_string(kMaxAttrPayload));
    return;
  }
  if (buf_.size() + align4(kAttrHeader + len) > kMaxMessage) {
    fail("message would exceed " + std::to_string(kMaxMessage) + " bytes");
    return;
  }
  size_t at = buf_.size();
  buf_.resize(at + align4(kAttrHeader + len), 0);
  write_u16(&buf_[at], static_cast<uint16_t>(kAttrHeader + len));
  write_u16(&buf_[at + 2], type);
  if (len) std::memcpy(&buf_[at + kAttrHeader], data, len);
}

void Writer::u32(uint16_t type, uint32_t v) { put(type, &v, 4); }
void Writer::u64(uint16_t type, uint64_t v) { put(type, &v, 8); }
void Writer::boolean(uint16_t type, bool v) {
  uint8_t b = v ? 1 : 0;
  put(type, &b, 1);
}
void Writer::str(uint16_t type, std::string_view s) {
  if (s.find('\0') != std::string_view::npos) {
    fail("attribute " + std::to_string(type) + " contains a NUL byte");
    return;
  }
  std::string z(s);
  put(type, z.c_str(), z.size() + 1);
}
void Writer::bytes(uint16_t type, const void* data, size_t len) { put(type, data, len); }

size_t Writer::begin_nested(uint16_t type) {
  size_t at = buf_.size();
  put(type, nullptr, 0);
  return at;
}

void Writer::end_nested(size_t at) {
  if (!ok()) return;
  size_t len = buf_.size() - at;
  if (len > 0xFFFF) {
    fail("nested attribute " + std::to_string(read_u16(&buf_[at + 2])) + " is " +
         std::to_string(len) + " bytes; the limit is 65535");
    return;
  }
  write_u16(&buf_[at], static_cast<uint16_t>(len));
}

bool Writer::finish(std::vector<uint8_t>* out, std::string* err) {
  if (!ok()) {
    *err = error_;
    return false;
  }
  write_u32(&buf_[0], static_cast<uint32_t>(buf_.size()));
  *out = std::move(buf_);
  buf_.assign(kMsgHeader, 0);
  return true;
}

bool Reader::next(Attr* a) {
  if (!error_.empty() || left_ == 0) return false;
  size_t offset = static_cast<size_t>(p_ - base_);
  if (left_ < kAttrHeader) {
    error_ = "truncated attribute header at offset " + std::to_string(offset);
    return false;
  }
  uint16_t len = read_u16(p_);
  if (len < kAttrHeader || len > left_) {
    error_ = "attribute length " + std::to_string(len) + " at offset " + std::to_string(offset) +
             " runs past the buffer (" + std::to_string(left_) + " bytes left)";
    return false;
  }
  a->type = read_u16(p_ + 2);
  a->data = p_ + kAttrHeader;
  a->len = len - kAttrHeader;
  a->offset = offset;
  size_t step = align4(len);
  if (step > left_) step = left_;  // the last attribute may omit its padding
  p_ += step;
  left_ -= step;
  return true;
}

uint16_t message_type(const uint8_t* buf, size_t len) {
  return len >= kMsgHeader ? read_u16(buf + 4) : 0;
}

bool open_message(const uint8_t* buf, size_t len, uint16_t expected_type, const uint8_t** attrs,
                  size_t* attrs_len, std::string* err) {
  if (len < kMsgHeader) {
    *err = "message of " + std::to_string(len) + " bytes is shorter than its header";
    return false;
  }
  if (len > kMaxMessage) {
    *err = "message of " + std::to_string(len) + " bytes exceeds the limit";
    return false;
  }
  uint32_t declared = read_u32(buf);
  if (declared != len) {
    *err = "message header says " + std::to_string(declared) + " bytes but " +
           std::to_string(len) + " arrived";
    return false;
  }
  uint16_t type = read_u16(buf + 4);
  if (type != expected_type) {
    *err = "expected message type " + std::to_string(expected_type) + ", got " + std::to_string(type);
    return false;
  }
  *attrs = buf + kMsgHeader;
  *attrs_len = len - kMsgHeader;
  return true;
}

bool get_u32(const Attr& a, uint32_t* v, std::string* err) {
  if (a.len != 4) {
    *err = attr_label(a) + " should hold 4 bytes, has " + std::to_string(a.len);
    return false;
  }
  *v = read_u32(a.data);
  return true;
}

bool get_u64(const Attr& a, uint64_t* v, std::string* err) {
  if (a.len != 8) {
    *err = attr_label(a) + " should hold 8 bytes, has " + std::to_string(a.len);
    return false;
  }
  std::memcpy(v, a.data, 8);
  return true;
}

bool get_bool(const Attr& a, bool* v, std::string* err) {
  if (a.len != 1 || a.data[0] > 1) {
    *err = attr_label(a) + " is not a boolean";
    return false;
  }
  *v = a.data[0] == 1;
  return true;
}

bool get_str(const Attr& a, std::string* v, std::string* err) {
  if (a.len == 0 || a.data[a.len - 1] != '\0') {
    *err = attr_label(a) + " is not a NUL-terminated string";
    return false;
  }
  const char* s = reinterpret_cast<const char*>(a.data);
  if (std::strlen(s) != a.len - 1) {
    *err = attr_label(a) + " has a NUL byte inside the string";
    return false;
  }
  v->assign(s, a.len - 1);
  return true;
}

}  // namespace nsj::proto

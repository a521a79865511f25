// The netlink wire format shared by the bootstrap message and the runtime reports:
// a struct nlmsghdr followed by 4-byte-aligned attributes {u16 len, u16 type, payload}.
// The writer refuses anything that does not fit a u16 length instead of truncating it
// (a truncated length let attacker bytes become attributes in CVE-2021-43784); the reader
// rejects lengths that run past the buffer.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nsj::proto {

constexpr size_t kMsgHeader = 16;                // sizeof(struct nlmsghdr)
constexpr size_t kAttrHeader = 4;                // sizeof(struct nlattr)
constexpr size_t kMaxAttrPayload = 0xFFFF - kAttrHeader;
constexpr size_t kMaxMessage = 16u << 20;        // a bootstrap larger than this is refused

inline size_t align4(size_t n) { return (n + 3) & ~static_cast<size_t>(3); }

// Builds one message. Errors are sticky: after the first, finish() fails with it.
class Writer {
 public:
  explicit Writer(uint16_t msg_type);

  void u32(uint16_t type, uint32_t v);
  void u64(uint16_t type, uint64_t v);
  void boolean(uint16_t type, bool v);             // runc's shape: 1 byte, padded to 4
  void str(uint16_t type, std::string_view s);     // NUL-terminated; interior NULs refused
  void bytes(uint16_t type, const void* data, size_t len);
  size_t begin_nested(uint16_t type);
  void end_nested(size_t at);

  bool ok() const { return error_.empty(); }
  // Records an error of the caller's (the first one sticks).
  void fail_with(std::string msg) { fail(std::move(msg)); }
  const std::string& error() const { return error_; }
  // Sets nlmsg_len and hands the buffer over; false (and *err) if anything did not fit.
  bool finish(std::vector<uint8_t>* out, std::string* err);

 private:
  void put(uint16_t type, const void* data, size_t len);
  void fail(std::string msg);
  std::vector<uint8_t> buf_;
  std::string error_;
};

struct Attr {
  uint16_t type = 0;
  const uint8_t* data = nullptr;
  size_t len = 0;  // payload length, header excluded
  size_t offset = 0;  // of the header, from the start of the attribute run
};

// Walks a run of attributes. next() returns false at the end or on a malformed
// attribute; error() tells which.
class Reader {
 public:
  Reader(const uint8_t* data, size_t len) : base_(data), p_(data), left_(len) {}
  bool next(Attr* a);
  const std::string& error() const { return error_; }

 private:
  const uint8_t* base_;
  const uint8_t* p_;
  size_t left_;
  std::string error_;
};

// Checks the message header: length equal to the buffer, the expected type, size limit.
// On success *attrs/*attrs_len describe the attribute run.
bool open_message(const uint8_t* buf, size_t len, uint16_t expected_type, const uint8_t** attrs,
                  size_t* attrs_len, std::string* err);
// The message type of a buffer holding at least a header, else 0.
uint16_t message_type(const uint8_t* buf, size_t len);

// Typed payload accessors: false with *err naming the attribute when the shape is wrong.
bool get_u32(const Attr& a, uint32_t* v, std::string* err);
bool get_u64(const Attr& a, uint64_t* v, std::string* err);
bool get_bool(const Attr& a, bool* v, std::string* err);
bool get_str(const Attr& a, std::string* v, std::string* err);

}  // namespace nsj::proto

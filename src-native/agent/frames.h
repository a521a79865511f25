// Frames of the file agent's data channel (protocol/files.h), read from and written to
// the agent's stdin and stdout, blocking: the agent serves one request at a time.
#pragma once
#include <cstdint>
#include <string>

#include "../common/status.h"

namespace nsj::agent {

constexpr int kIn = 0, kOut = 1;

// One frame. *eof (if given): the channel ended before its first byte, which is how the
// caller says it is done with us.
Status read_frame(uint32_t* type, std::string* payload, bool* eof = nullptr);
// A frame of `head` followed by `body` (either may be empty).
Status send_frame(uint32_t type, const void* head, size_t head_len, const void* body = nullptr, size_t body_len = 0);
// ERROR with st's errno, system call and text.
Status send_error(const Status& st);

}  // namespace nsj::agent

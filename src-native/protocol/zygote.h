// A start request to the resident stage 0 (the zygote, nsexec/zygote.cc): one datagram
// on its control socket (SOCK_SEQPACKET) holding this struct, with the fds of stage 0's
// layout (common/fd_layout.h) attached as SCM_RIGHTS, in slot order, those present only.
#pragma once
#include <cstddef>
#include <cstdint>

#include "../common/fd_layout.h"

namespace nsj::proto {

constexpr uint32_t kZygoteMagic = 0x7a6a736e;  // "nsjz"
// The kernel passes at most 253 fds in one message (SCM_MAX_FD); larger starts are
// posix_spawned as before.
constexpr size_t kZygoteMaxSlots = 250;

struct ZygoteRequest {
  uint32_t magic = kZygoteMagic;
  uint32_t slots = 0;  // the layout's length: kFirstExtraFd + extra + held
  uint32_t extra = 0;  // extra fds (become 3.. in the main process)
  uint32_t held = 0;   // held fds (namespaces to join)
  // 1: the next attached fd goes to this slot; 0: /dev/null there.
  uint8_t present[kZygoteMaxSlots] = {};
};

// What the zygote checks before it forks anything.
inline bool zygote_request_valid(const ZygoteRequest& r, size_t fds_attached) {
  if (r.magic != kZygoteMagic || r.slots > kZygoteMaxSlots || r.extra > kZygoteMaxSlots || r.held > 16) return false;
  if (r.slots != static_cast<uint32_t>(kFirstExtraFd) + r.extra + r.held) return false;
  size_t present = 0;
  for (uint32_t i = 0; i < r.slots; i++) present += r.present[i] ? 1 : 0;
  return present == fds_attached;
}

}  // namespace nsj::proto

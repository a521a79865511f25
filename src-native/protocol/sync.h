// The sync protocol between the stages (runc's values), over SOCK_STREAM socketpairs.
// Call sites say what they send and what they expect; a wrong value or a short
// read/write is an error naming both.
#pragma once
#include <sys/types.h>
#include <cstdint>
#include <string>

namespace nsj::proto {

enum class Sync : uint32_t {
  UsermapPls = 0x40,  // child -> parent: write my uid/gid maps
  UsermapAck = 0x41,  // parent -> child: written
  RecvpidPls = 0x42,  // child -> parent: a pid follows
  RecvpidAck = 0x43,  // parent -> child: received
  Grandchild = 0x44,  // parent -> init: go
  ChildReady = 0x45,  // child/init -> parent: done (runc's SYNC_CHILD_READY, later _FINISH)
};

const char* sync_name(uint32_t value);  // "SYNC_USERMAP_PLS", or "0x.." for an unknown value

// Each returns 0, or an errno (EPIPE for a peer that went away, EPROTO for an unexpected
// value) with *err saying what happened.
int sync_send(int fd, Sync s, std::string* err);
int sync_expect(int fd, Sync want, std::string* err);
int sync_send_pid(int fd, pid_t pid, std::string* err);   // RecvpidPls + pid
int sync_expect_pid(int fd, pid_t* pid, std::string* err);  // expects RecvpidPls + pid

}  // namespace nsj::proto

// The sync protocol between the stages (runc's values), over SOCK_STREAM socketpairs,
// one send and one expect function per message, so each call site says what it sends
// and what it expects. A wrong message is reported with both names ("expected
// SYNC_USERMAP_ACK, got SYNC_RECVPID_PLS"); a short read or write means the peer is gone.
#pragma once
#include <sys/types.h>

#include <cstdint>

#include "../common/status.h"

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

// Stage 1 -> stage 0.
Status send_usermap_pls(int fd);
Status expect_usermap_pls(int fd);
Status send_recvpid_pls(int fd, pid_t pid);  // the message, then the pid
Status expect_recvpid_pls(int fd, pid_t* pid);
// Stage 0 -> stage 1.
Status send_usermap_ack(int fd);
Status expect_usermap_ack(int fd);
Status send_recvpid_ack(int fd);
Status expect_recvpid_ack(int fd);
// Stage 0 -> stage 2.
Status send_grandchild(int fd);
Status expect_grandchild(int fd);
// Stage 1 -> stage 0, and stage 2 -> stage 0.
Status send_child_ready(int fd);
Status expect_child_ready(int fd);

}  // namespace nsj::proto

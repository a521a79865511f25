// Starting stage 0: posix_spawn (no copy of Node's memory, every signal reset, nothing
// inherited but the fds below), with the bootstrap in a sealed memfd so that handing it
// over never blocks, whatever its size. The fd layout is common/fd_layout.h.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

#include "../common/fd.h"
#include "../common/status.h"

namespace nsj {

struct SpawnRequest {
  std::string init_path;              // the init program on disk
  std::vector<uint8_t> bootstrap;     // encoded INIT_MSG
  int stdio[3] = {-1, -1, -1};        // -1: /dev/null
  int files_fd = -1;                  // the fixtures' sealed memfd; -1: /dev/null
  int outputs_fd = -1;                // where the reaper sends a run's outputs; -1: /dev/null
  std::vector<int> extra_fds;         // become 3.. in the main process
  std::vector<int> held_fds;          // kept by the stages after the extra fds (namespaces
                                      // to join), never passed to the main process
};

struct SpawnResult {
  pid_t pid = -1;
  Fd pidfd;
  Fd sock;  // our end of the init socket (SOCK_SEQPACKET, SO_PASSCRED, non-blocking)
};

Status spawn_stage0(const SpawnRequest& req, SpawnResult* out);

}  // namespace nsj

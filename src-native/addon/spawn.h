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
  bool leaf = false;                  // stage 0 clones no stage (the file agent)
};

struct SpawnResult {
  pid_t pid = -1;  // 0: the zygote forks it; its pid and pidfd come with its hello
  Fd pidfd;
  Fd sock;  // our end of the init socket (SOCK_SEQPACKET, SO_PASSCRED, non-blocking)
};

class Zygote;

// With a zygote, stage 0 is forked by it (see addon/zygote.h) where it can be.
Status spawn_stage0(const SpawnRequest& req, Zygote* zygote, SpawnResult* out);

// posix_spawn with `src[i]` at fd i (-1: /dev/null), every signal reset, an empty
// environment. Sources must not be among the targets (see lift_sources in spawn.cc).
// A pidfd for our own unreaped child (race-free); on failure the child is killed and reaped.
Status open_pidfd(pid_t pid, Fd* out);
Status run_posix_spawn(const std::string& exec_path, const std::vector<int>& src, std::vector<std::string> args, pid_t* pid);

}  // namespace nsj

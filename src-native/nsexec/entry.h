// How stage 0 begins, whether the addon posix_spawned it (main.cc) or the resident
// stage 0 forked it (zygote.cc): the fds of common/fd_layout.h are in place.
#pragma once
#include <sys/types.h>

#include <cstddef>
#include <cstdint>

namespace nsj {

struct Stage0Start {
  pid_t addon = 0;          // our parent must be the addon's process
  long extra = 0, held = 0;  // extra and held fd counts
  char* title = nullptr;    // the argv area, rewritten to name each stage in ps
  size_t title_len = 0;
  uint64_t started_us = 0;  // when this process began (for a profile)
  bool announce = false;    // forked by the zygote: the addon learns our pid from a hello
};

// Closes every fd outside the layout, reads and checks the bootstrap, and runs stage 0
// (or the file agent). Returns only the exit code of a start that could not begin.
int begin_stage0(const Stage0Start& s);

// The resident stage 0 (argv: nsj:[zygote] <addon pid> zygote, control socket at fd 3).
[[noreturn]] void run_zygote(pid_t addon, char* title, size_t title_len);

}  // namespace nsj

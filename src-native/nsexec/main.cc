// nsjail-ts-init: the program the addon posix_spawns from a sealed memfd. It starts as
// stage 0 ("nsj:[0:PARENT]") for one container or exec, or as the resident stage 0 (the
// zygote) that forks one stage 0 per start without an exec (zygote.cc).
//
//   argv: nsj:[0:PARENT] <addon pid> <extra fd count> <held fd count>
//         nsj:[zygote] <addon pid> zygote
//   fds:  see common/fd_layout.h (stage 0); the control socket at 3 (zygote)
//
// It is a fresh single-threaded program, which is why namespaces can be created and
// joined here and not in Node (unshare(CLONE_NEWUSER) is refused to threaded callers).
#include <errno.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "../common/clock.h"
#include "entry.h"

namespace {

// A decimal in [lo, hi], all of it: a malformed argv stops us before anything happens.
bool parse_count(const char* s, long lo, long hi, long* out) {
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(s, &end, 10);
  if (errno || end == s || *end != '\0' || v < lo || v > hi) return false;
  *out = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  nsj::Stage0Start s;
  s.started_us = nsj::monotonic_us();  // for a profile: when exec was done
  long parent = 0;
  bool zygote = argc == 3 && std::strcmp(argv[2], "zygote") == 0;
  if ((argc != 4 && !zygote) || !parse_count(argv[1], 1, 1L << 22, &parent)) {
    const char msg[] = "nsjail-ts-init is started by the nsjail-ts addon, not by hand\n";
    (void)!::write(2, msg, sizeof msg - 1);
    return 2;
  }
  // argv strings are contiguous: the whole area can carry the stage's name for ps.
  s.title = argv[0];
  s.title_len = static_cast<size_t>(argv[argc - 1] + std::strlen(argv[argc - 1]) - argv[0]);
  s.addon = static_cast<pid_t>(parent);
  if (zygote) nsj::run_zygote(s.addon, s.title, s.title_len);
  if (!parse_count(argv[2], 0, 1000, &s.extra) || !parse_count(argv[3], 0, 16, &s.held)) return 2;
  return nsj::begin_stage0(s);
}

// CLOCK_MONOTONIC in microseconds: the clock the stages' log lines, the reactor's events
// and JS's process.hrtime() share, so that a profile can put them on one time line.
#pragma once
#include <time.h>

#include <cstdint>

namespace nsj {

inline uint64_t monotonic_us() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000 + static_cast<uint64_t>(ts.tv_nsec) / 1000;
}

}  // namespace nsj

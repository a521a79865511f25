// What a process tree used, as struct rusage reports it, in the units the protocol and
// JavaScript use: CPU microseconds, and the largest resident set of one process in KiB.
#pragma once
#include <sys/resource.h>

#include <cstdint>

namespace nsj {

struct Usage {
  uint64_t utime_us = 0, stime_us = 0, maxrss_kb = 0;
};

inline uint64_t micros(const struct timeval& t) {
  return static_cast<uint64_t>(t.tv_sec) * 1000000 + static_cast<uint64_t>(t.tv_usec);
}

inline Usage usage_of(const struct rusage& ru) {
  return Usage{micros(ru.ru_utime), micros(ru.ru_stime), static_cast<uint64_t>(ru.ru_maxrss)};
}

}  // namespace nsj

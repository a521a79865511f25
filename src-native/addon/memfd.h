// Sealable memfds: how the addon hands stage 0 data it must read exactly as written
// (the bootstrap, the fixtures' contents), whatever else holds the fd.
#pragma once
#include <cstdint>
#include <vector>

#include "../common/fd.h"
#include "../common/status.h"

namespace nsj {

// Close-on-exec, sealing allowed, empty.
Status memfd_new(const char* name, Fd* out);
// No more writes, growth, shrinking or seals: the reader sees exactly these bytes.
Status memfd_seal(int fd);
// A new memfd holding `bytes`, sealed.
Status memfd_sealed(const char* name, const std::vector<uint8_t>& bytes, Fd* out);

}  // namespace nsj

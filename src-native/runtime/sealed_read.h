// Reading a sealed memfd whole (the bootstrap; a pooled container's start spec): its size
// cannot change under us, so one fstat says how much there is.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace nsj {
// 0, or an errno (EMSGSIZE: empty or larger than `max`).
int read_sealed(int fd, size_t max, std::vector<uint8_t>* out);
}  // namespace nsj

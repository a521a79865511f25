#include "memfd.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../common/syscalls.h"

namespace nsj {

Status memfd_new(const char* name, Fd* out) {
  out->reset(::memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!*out) return fail("memfd_create", errno, name);
  return ok();
}

Status memfd_sealed(const char* name, const std::vector<uint8_t>& bytes, Fd* out) {
  Fd mem;
  NSJ_TRY(memfd_new(name, &mem));
  const uint8_t* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(mem.get(), p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("write", n < 0 ? errno : EIO, "", name);
    p += n;
    left -= static_cast<size_t>(n);
  }
  NSJ_TRY(memfd_seal(mem.get()));
  *out = std::move(mem);
  return ok();
}

Status memfd_seal(int fd) {
  if (::fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
    return fail("fcntl", errno, "", "seal a memfd");
  return ok();
}

}  // namespace nsj

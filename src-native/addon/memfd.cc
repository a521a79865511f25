#include "memfd.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

#include "../common/syscalls.h"

namespace nsj {

Status memfd_new(const char* name, Fd* out) {
  out->reset(::memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!*out) return fail("memfd_create", errno, name);
  return ok();
}

Status memfd_seal(int fd) {
  if (::fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
    return fail("fcntl", errno, "", "seal a memfd");
  return ok();
}

}  // namespace nsj

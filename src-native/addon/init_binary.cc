#include "init_binary.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <mutex>

#include "../common/fd.h"
#include "../common/syscalls.h"

namespace nsj {

namespace {

std::mutex g_mutex;
InitBinary g_binary;
bool g_ready = false;

int make_memfd() {
  int fd = ::memfd_create("nsjail-ts-init", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (fd < 0 && errno == EINVAL)  // kernels before 6.3 do not know MFD_EXEC
    fd = ::memfd_create("nsjail-ts-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  return fd;
}

int copy_sealed(int src, size_t size, Fd* out, std::string* why) {
  Fd mem(make_memfd());
  if (!mem) {
    int e = errno;
    *why = std::string("memfd_create: ") + std::strerror(e);
    return e;
  }
  off_t off = 0;
  while (static_cast<size_t>(off) < size) {
    ssize_t n = ::sendfile(mem.get(), src, &off, size - static_cast<size_t>(off));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = n < 0 ? errno : EIO;
      *why = std::string("copy into memfd: ") + std::strerror(e);
      return e;
    }
  }
  int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
  if (::fcntl(mem.get(), F_ADD_SEALS, seals | F_SEAL_EXEC) < 0 &&
      ::fcntl(mem.get(), F_ADD_SEALS, seals) < 0) {
    int e = errno;
    *why = std::string("seal memfd: ") + std::strerror(e);
    return e;
  }
  *out = std::move(mem);
  return 0;
}

}  // namespace

int init_binary(const std::string& path, InitBinary* out, std::string* err) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_ready) {
    *out = g_binary;
    return 0;
  }
  Fd src(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  // statx, not fstat: glibc 2.33 made fstat a symbol of its own, and the prebuilt addon
  // must load on glibc 2.28 (see the glibc floor in README.md, "Requirements").
  struct statx st;
  if (!src || ::statx(src.get(), "", AT_EMPTY_PATH, STATX_TYPE | STATX_MODE | STATX_SIZE, &st) < 0) {
    int e = errno;
    *err = "cannot open the init program " + path + ": " + std::strerror(e) +
           " (rebuild with `npm run build:native`, or set NSJAIL_TS_INIT)";
    return e;
  }
  if (!S_ISREG(st.stx_mode) || !(st.stx_mode & 0100)) {
    *err = "the init program " + path + " is not an executable file (mode " +
           std::to_string(st.stx_mode & 07777) + "); chmod 0755 it";
    return EACCES;
  }
  Fd mem;
  std::string why;
  if (int e = copy_sealed(src.get(), static_cast<size_t>(st.stx_size), &mem, &why)) {
    *err = "cannot make the sealed copy of the init program (" + why + ")";
    return e;
  }
  InitBinary b;
  b.fd = mem.release();
  b.exec_path = "/proc/self/fd/" + std::to_string(b.fd);
  g_binary = b;
  g_ready = true;
  *out = b;
  return 0;
}

}  // namespace nsj

#include "sealed_read.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nsj {

int read_sealed(int fd, size_t max, std::vector<uint8_t>* out) {
  struct stat st;
  if (::fstat(fd, &st) < 0) return errno;
  if (st.st_size <= 0 || static_cast<size_t>(st.st_size) > max) return EMSGSIZE;
  out->resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < out->size()) {
    ssize_t n = ::pread(fd, out->data() + done, out->size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : EIO;
    done += static_cast<size_t>(n);
  }
  return 0;
}

}  // namespace nsj

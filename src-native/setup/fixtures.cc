#include "fixtures.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "../common/fd_layout.h"

namespace nsj {

Status copy_slice(int from, uint64_t offset, uint64_t size, int to, const std::string& what) {
  off_t at = static_cast<off_t>(offset);
  uint64_t left = size;
  while (left > 0) {
    ssize_t n = ::sendfile(to, from, &at, left > (1u << 30) ? (1u << 30) : left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EINVAL || errno == ENOSYS)) break;  // not for these files: copy below
    if (n <= 0) return fail("sendfile", n < 0 ? errno : EIO, what);
    left -= static_cast<uint64_t>(n);
  }
  std::vector<char> buf(left ? 1u << 20 : 0);
  while (left > 0) {
    ssize_t n = ::pread(from, buf.data(), left < buf.size() ? left : buf.size(), at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("read", n < 0 ? errno : EIO, what);
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(to, buf.data() + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return fail("write", w < 0 ? errno : EIO, what);
      done += w;
    }
    at += n;
    left -= static_cast<uint64_t>(n);
  }
  return ok();
}

Status write_fixture(int root_fd, const proto::MountOp& op, const Owner& owner) {
  Fd dir;
  std::string name;
  NSJ_TRY(parent_in_root(root_fd, op.target, owner, &dir, &name));
  // O_NONBLOCK: a FIFO at the path must not hang setup; it is refused below.
  Fd f(::openat(dir.get(), name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600));
  if (!f) {
    int e = errno;
    return fail("open", e, op.target, e == ELOOP ? "fixture: a symlink is at its path; not followed" : "fixture");
  }
  struct stat st;
  if (::fstat(f.get(), &st) < 0) return fail("fstat", errno, op.target, "fixture");
  if (!S_ISREG(st.st_mode)) return fail("open", EINVAL, op.target, "fixture: something other than a file is at its path");
  NSJ_TRY(copy_slice(kFilesFd, op.offset, op.size, f.get(), op.target));
  // chown first: it would clear set-id bits (the configuration allows none anyway).
  if ((st.st_uid != owner.uid || st.st_gid != owner.gid) && ::fchown(f.get(), owner.uid, owner.gid) < 0)
    return fail("chown", errno, op.target, "fixture");
  if (::fchmod(f.get(), op.mode) < 0) return fail("chmod", errno, op.target, "fixture");
  return ok();
}

}  // namespace nsj

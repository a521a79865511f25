#include "changes.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <string>

#include "../common/fd.h"
#include "../protocol/files.h"
#include "frames.h"

namespace nsj::agent {

namespace {

constexpr int kMaxDepth = 256;

bool opaque(int dir) {
  char v[2];
  for (const char* name : {"user.overlay.opaque", "trusted.overlay.opaque"}) {
    ssize_t n = ::fgetxattr(dir, name, v, sizeof v);
    if (n == 1 && v[0] == 'y') return true;
  }
  return false;
}

Status entry(uint32_t kind, const struct stat& st, uint32_t flags, const std::string& rel) {
  proto::FileEntry e{kind, static_cast<uint32_t>(st.st_mode & 07777), S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) : 0,
                     flags, 0};
  return send_frame(proto::FF_ENTRY, &e, sizeof e, rel.data(), rel.size());
}

Status walk_layer(int dir, const std::string& rel, int depth) {
  Fd listing(::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  DIR* d = listing ? ::fdopendir(listing.get()) : nullptr;
  if (!d) return fail("opendir", errno, rel.empty() ? "/" : rel, "the overlay's upper layer");
  listing.release();
  Status st;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string child = rel + "/" + name;
    struct stat sb;
    if (::fstatat(dir, name.c_str(), &sb, AT_SYMLINK_NOFOLLOW) < 0) continue;
    if (S_ISCHR(sb.st_mode) && sb.st_rdev == makedev(0, 0)) {
      st = entry(proto::EK_WHITEOUT, sb, 0, child);
    } else if (S_ISDIR(sb.st_mode)) {
      Fd sub(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      st = entry(proto::EK_DIR, sb, sub && opaque(sub.get()) ? static_cast<uint32_t>(proto::EF_OPAQUE) : 0u, child);
      if (st.ok() && sub && depth < kMaxDepth) st = walk_layer(sub.get(), child, depth + 1);
    } else {
      st = entry(S_ISREG(sb.st_mode) ? proto::EK_FILE : S_ISLNK(sb.st_mode) ? proto::EK_SYMLINK : proto::EK_OTHER, sb, 0, child);
    }
    if (!st.ok()) break;
  }
  ::closedir(d);
  return st;
}

}  // namespace

Status list_changes(int layer) {
  Status st = walk_layer(layer, "", 0);
  if (!st.ok() && st.syscall == std::string("opendir")) return send_error(st);
  NSJ_TRY(st);
  return send_frame(proto::FF_DONE, nullptr, 0);
}

}  // namespace nsj::agent

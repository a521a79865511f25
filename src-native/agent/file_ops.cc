#include "file_ops.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "../common/syscalls.h"
#include "../protocol/files.h"
#include "frames.h"

namespace nsj::agent {

namespace {

using proto::FileEntry;

constexpr int kMaxDepth = 256;
// O_NONBLOCK: a FIFO must not hang the agent (it is refused after fstat); O_NOCTTY: nor
// may a terminal become ours.
constexpr int kOpenFlags = O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;

Fd open_in(const Root& root, const std::string& path, int flags) {
  sys::open_how_t how{};
  how.flags = static_cast<uint64_t>(flags | kOpenFlags);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  int fd;
  do fd = sys::openat2(root.fd, path.c_str(), &how);
  while (fd < 0 && errno == EAGAIN);
  return Fd(fd);
}

Status opened(const Fd& fd, const std::string& path, const char* what) {
  if (fd) return ok();
  int e = errno;
  return fail("open", e, path, e == ELOOP ? std::string(what) + ": a symlink; not followed" : what);
}

// Up to `size` bytes of f as DATA frames, then END: a file that grows meanwhile is cut
// at the size announced, one that shrinks ends early.
Status send_contents(int f, uint64_t size) {
  // No bigger than the file: most are small, and a chunk's worth of pages costs more than the file.
  std::vector<char> buf(size < proto::kFileChunk ? size : proto::kFileChunk);
  uint64_t left = size;
  off_t at = 0;
  while (left > 0) {
    ssize_t n = ::pread(f, buf.data(), left < buf.size() ? left : buf.size(), at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    NSJ_TRY(send_frame(proto::FF_DATA, buf.data(), static_cast<size_t>(n)));
    at += n;
    left -= static_cast<uint64_t>(n);
  }
  return send_frame(proto::FF_END, nullptr, 0);
}

Status send_entry(uint32_t kind, const struct stat& st, uint32_t flags, const std::string& rel) {
  FileEntry e{kind, static_cast<uint32_t>(st.st_mode & 07777), kind == proto::EK_FILE ? static_cast<uint64_t>(st.st_size) : 0,
              flags, 0};
  return send_frame(proto::FF_ENTRY, &e, sizeof e, rel.data(), rel.size());
}

uint32_t kind_of(mode_t m) {
  if (S_ISREG(m)) return proto::EK_FILE;
  if (S_ISDIR(m)) return proto::EK_DIR;
  if (S_ISLNK(m)) return proto::EK_SYMLINK;
  return proto::EK_OTHER;
}

// A file's ENTRY and contents; one that cannot be read is an entry marked so.
Status send_file(int dir, const char* name, const std::string& rel, const struct stat& seen) {
  Fd f(::openat(dir, name, O_RDONLY | kOpenFlags));
  struct stat st;
  if (!f || ::fstat(f.get(), &st) < 0 || !S_ISREG(st.st_mode))
    return send_entry(proto::EK_FILE, seen, proto::EF_UNREADABLE, rel);
  NSJ_TRY(send_entry(proto::EK_FILE, st, 0, rel));
  return send_contents(f.get(), static_cast<uint64_t>(st.st_size));
}

Status walk_dir(int dir, const std::string& rel, int depth) {
  Fd listing(::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  DIR* d = listing ? ::fdopendir(listing.get()) : nullptr;
  if (!d) return ok();  // unreadable: its entry said what it is, nothing below
  listing.release();
  Status st;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string child = rel.empty() ? name : rel + "/" + name;
    struct stat sb;
    if (::fstatat(dir, name.c_str(), &sb, AT_SYMLINK_NOFOLLOW) < 0) continue;  // gone meanwhile
    if (S_ISREG(sb.st_mode)) {
      st = send_file(dir, name.c_str(), child, sb);
    } else if (S_ISDIR(sb.st_mode) && depth < kMaxDepth) {
      Fd sub(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | kOpenFlags));
      st = send_entry(proto::EK_DIR, sb, sub ? 0u : static_cast<uint32_t>(proto::EF_UNREADABLE), child);
      if (st.ok() && sub) st = walk_dir(sub.get(), child, depth + 1);
    } else {
      st = send_entry(kind_of(sb.st_mode), sb, 0, child);
    }
    if (!st.ok()) break;
  }
  ::closedir(d);
  return st;
}

}  // namespace

Status read_file(const Root& root, const std::string& path) {
  Fd f = open_in(root, path, O_RDONLY);
  Status why = opened(f, path, "readFile");
  struct stat st;
  if (why.ok() && ::fstat(f.get(), &st) < 0) why = fail("fstat", errno, path);
  if (why.ok() && S_ISDIR(st.st_mode)) why = fail("read", EISDIR, path, "readFile: a directory");
  if (why.ok() && !S_ISREG(st.st_mode)) why = fail("read", EINVAL, path, "readFile: not a regular file");
  if (!why.ok()) return send_error(why);
  struct {
    uint64_t size;
    uint32_t mode, pad;
  } head{static_cast<uint64_t>(st.st_size), static_cast<uint32_t>(st.st_mode & 07777), 0};
  NSJ_TRY(send_frame(proto::FF_FILE, &head, sizeof head));
  return send_contents(f.get(), head.size);
}

Status write_file(const Root& root, const std::string& path, uint32_t mode) {
  Fd dir, f;
  std::string name;
  Status why = parent_in_root(root.fd, path, root.owner, &dir, &name);
  if (why.ok()) {
    f.reset(::openat(dir.get(), name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | kOpenFlags, 0600));
    why = opened(f, path, "writeFile");
  }
  struct stat st;
  if (why.ok() && (::fstat(f.get(), &st) < 0 || !S_ISREG(st.st_mode))) why = fail("open", EINVAL, path, "writeFile: not a regular file");
  if (why.ok() && ::fchown(f.get(), root.owner.uid, root.owner.gid) < 0) why = fail("chown", errno, path);
  // The contents come whatever happened: they are read to their END, and written if all is well.
  for (;;) {
    uint32_t type;
    std::string chunk;
    NSJ_TRY(read_frame(&type, &chunk));
    if (type == proto::FF_END) break;
    if (type != proto::FF_DATA) return fail("read", EPROTO, path, "writeFile: expected DATA or END");
    for (size_t done = 0; why.ok() && done < chunk.size();) {
      ssize_t n = ::write(f.get(), chunk.data() + done, chunk.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) why = fail("write", n < 0 ? errno : EIO, path);
      else done += static_cast<size_t>(n);
    }
  }
  if (why.ok() && ::fchmod(f.get(), mode) < 0) why = fail("chmod", errno, path);
  // Closed before the answer: a caller that executes the file next must not find it still
  // open for writing here (execve's ETXTBSY).
  f.reset();
  return why.ok() ? send_frame(proto::FF_OK, nullptr, 0) : send_error(why);
}

Status make_dir(const Root& root, const std::string& path, uint32_t mode) {
  Fd at;
  Status why = ensure_in_root(root.fd, path, false, false, &at, &root.owner);
  Fd dir;
  if (why.ok()) {
    dir.reset(::openat(at.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) why = fail("open", errno == ENOTDIR ? EEXIST : errno, path, "mkdir: something other than a directory is there");
  }
  if (why.ok() && ::fchmod(dir.get(), mode) < 0) why = fail("chmod", errno, path);
  return why.ok() ? send_frame(proto::FF_OK, nullptr, 0) : send_error(why);
}

Status walk(const Root& root, const std::string& path) {
  Fd top = open_in(root, path, O_RDONLY);
  Status why = opened(top, path, "read");
  struct stat st;
  if (why.ok() && ::fstat(top.get(), &st) < 0) why = fail("fstat", errno, path);
  if (!why.ok()) return send_error(why);
  if (S_ISREG(st.st_mode)) {
    NSJ_TRY(send_entry(proto::EK_FILE, st, 0, ""));
    NSJ_TRY(send_contents(top.get(), static_cast<uint64_t>(st.st_size)));
  } else {
    NSJ_TRY(send_entry(kind_of(st.st_mode), st, 0, ""));
    if (S_ISDIR(st.st_mode)) NSJ_TRY(walk_dir(top.get(), "", 0));
  }
  return send_frame(proto::FF_DONE, nullptr, 0);
}

}  // namespace nsj::agent

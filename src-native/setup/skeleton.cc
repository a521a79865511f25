#include "skeleton.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>

#include "../common/syscalls.h"

namespace nsj {

namespace {

Status attach(int tree, int root, const std::string& name) {
  sys::mount_attr_t attr{};
  attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
  if (sys::mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0) return fail("mount_setattr", errno, "/" + name);
  if (sys::move_mount(tree, "", root, name.c_str(), MOVE_MOUNT_F_EMPTY_PATH) < 0) return fail("move_mount", errno, "/" + name);
  return ok();
}

// One top-level entry: a symlink copied, a directory or file bound read-only.
Status add_entry(int root, TopEntry& e) {
  const char* n = e.name.c_str();
  switch (e.kind) {
    case TopEntry::Link:
      if (::symlinkat(e.link_target.c_str(), root, n) < 0) return fail("symlink", errno, "/" + e.name);
      return ok();
    case TopEntry::Dir:
      if (::mkdirat(root, n, 0755) < 0) return fail("mkdir", errno, "/" + e.name);
      return e.tree ? attach(e.tree.get(), root, e.name) : ok();  // no tree: a mount comes over it
    case TopEntry::File: {
      Fd f(::openat(root, n, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644));
      if (!f) return fail("open", errno, "/" + e.name);
      return attach(e.tree.get(), root, e.name);
    }
  }
  return ok();
}

}  // namespace

Status open_skeleton_sources(std::vector<TopEntry>* out, const std::vector<std::string>& covered) {
  DIR* dir = ::opendir("/");
  if (!dir) return fail("opendir", errno, "/");
  Status st;
  while (struct dirent* d = ::readdir(dir)) {
    std::string name = d->d_name;
    if (name == "." || name == "..") continue;
    struct stat sb;
    if (::fstatat(dirfd(dir), d->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0) continue;
    TopEntry e;
    e.name = name;
    if (S_ISLNK(sb.st_mode)) {
      char target[PATH_MAX];
      ssize_t n = ::readlinkat(dirfd(dir), d->d_name, target, sizeof target - 1);
      if (n < 0) continue;
      e.kind = TopEntry::Link;
      e.link_target.assign(target, static_cast<size_t>(n));
    } else if (S_ISDIR(sb.st_mode) && std::find(covered.begin(), covered.end(), name) != covered.end()) {
      e.kind = TopEntry::Dir;
    } else if (S_ISDIR(sb.st_mode) || S_ISREG(sb.st_mode)) {
      e.kind = S_ISDIR(sb.st_mode) ? TopEntry::Dir : TopEntry::File;
      e.tree.reset(sys::open_tree(dirfd(dir), d->d_name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE));
      if (!e.tree) {
        st = fail("open_tree", errno, "/" + name, "host root entry");
        break;
      }
    } else {
      continue;  // sockets, fifos, devices at the top level: not part of the view
    }
    out->push_back(std::move(e));
  }
  ::closedir(dir);
  return st;
}

Status attach_skeleton(const char* staging, std::vector<TopEntry>& entries, const std::vector<std::string>& extra_dirs) {
  if (::mount("tmpfs", staging, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") < 0)
    return fail("mount", errno, staging, "skeleton root tmpfs");
  Fd root(::open(staging, O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return fail("open", errno, staging);
  for (auto& e : entries) {
    NSJ_TRY(add_entry(root.get(), e));
    e.tree.reset();
  }
  for (const auto& d : extra_dirs)
    if (::mkdirat(root.get(), d.c_str(), 0755) < 0 && errno != EEXIST) return fail("mkdir", errno, "/" + d);
  return ok();
}

Status seal_skeleton(int root_fd) {
  sys::mount_attr_t attr{};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  if (sys::mount_setattr(root_fd, "", AT_EMPTY_PATH, &attr) < 0) return fail("mount_setattr", errno, "/", "seal the root");
  return ok();
}

}  // namespace nsj

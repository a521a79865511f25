#include "skeleton.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>

#include "../common/syscalls.h"

namespace nsj {

namespace {

void attach(Ctx& ctx, int tree, int root, const std::string& name) {
  sys::mount_attr_t attr{};
  attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
  if (sys::mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0)
    die(ctx, "mount_setattr", errno, "/" + name);
  if (sys::move_mount(tree, "", root, name.c_str(), MOVE_MOUNT_F_EMPTY_PATH) < 0)
    die(ctx, "move_mount", errno, "/" + name);
}

}  // namespace

void open_skeleton_sources(Ctx& ctx, std::vector<TopEntry>* out) {
  DIR* dir = ::opendir("/");
  if (!dir) die(ctx, "opendir", errno, "/");
  while (struct dirent* d = ::readdir(dir)) {
    std::string name = d->d_name;
    if (name == "." || name == "..") continue;
    struct stat st;
    if (::fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
    TopEntry e;
    e.name = name;
    if (S_ISLNK(st.st_mode)) {
      char target[PATH_MAX];
      ssize_t n = ::readlinkat(dirfd(dir), d->d_name, target, sizeof target - 1);
      if (n < 0) continue;
      e.kind = TopEntry::Link;
      e.link_target.assign(target, static_cast<size_t>(n));
    } else if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) {
      e.kind = S_ISDIR(st.st_mode) ? TopEntry::Dir : TopEntry::File;
      e.tree.reset(sys::open_tree(dirfd(dir), d->d_name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE));
      if (!e.tree) die(ctx, "open_tree", errno, "/" + name, "host root entry");
    } else {
      continue;  // sockets, fifos, devices at the top level: not part of the view
    }
    out->push_back(std::move(e));
  }
  ::closedir(dir);
}

void attach_skeleton(Ctx& ctx, const char* staging, std::vector<TopEntry>& entries,
                     const std::vector<std::string>& extra_dirs) {
  if (::mount("tmpfs", staging, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") < 0)
    die(ctx, "mount", errno, staging, "skeleton root tmpfs");
  Fd root(::open(staging, O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) die(ctx, "open", errno, staging);
  for (auto& e : entries) {
    const char* n = e.name.c_str();
    switch (e.kind) {
      case TopEntry::Link:
        if (::symlinkat(e.link_target.c_str(), root.get(), n) < 0) die(ctx, "symlink", errno, "/" + e.name);
        break;
      case TopEntry::Dir:
        if (::mkdirat(root.get(), n, 0755) < 0) die(ctx, "mkdir", errno, "/" + e.name);
        attach(ctx, e.tree.get(), root.get(), e.name);
        break;
      case TopEntry::File: {
        int f = ::openat(root.get(), n, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
        if (f < 0) die(ctx, "open", errno, "/" + e.name);
        ::close(f);
        attach(ctx, e.tree.get(), root.get(), e.name);
        break;
      }
    }
    e.tree.reset();
  }
  for (const auto& d : extra_dirs)
    if (::mkdirat(root.get(), d.c_str(), 0755) < 0 && errno != EEXIST) die(ctx, "mkdir", errno, "/" + d);
}

void seal_skeleton(Ctx& ctx, int root_fd) {
  sys::mount_attr_t attr{};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  if (sys::mount_setattr(root_fd, "", AT_EMPTY_PATH, &attr) < 0) die(ctx, "mount_setattr", errno, "/", "seal the root");
}

}  // namespace nsj

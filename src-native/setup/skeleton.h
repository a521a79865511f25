// The host's / as a skeleton: a tmpfs root holding a read-only recursive bind of every
// top-level host entry (and copies of its symlinks), plus empty directories for mount
// targets the host lacks (/data, /work). Used instead of one recursive bind of / only
// when such a directory is needed; the tmpfs turns read-only once everything is mounted.
#pragma once
#include <string>
#include <vector>

#include "../common/fd.h"
#include "../common/status.h"

namespace nsj {

struct TopEntry {
  std::string name;
  enum Kind { Dir, File, Link } kind = Dir;
  Fd tree;                  // Dir, File: a detached clone of the host entry
  std::string link_target;  // Link
};

// Phase 1: clone every top-level host entry before anything is mounted over one of them;
// those in `covered` (a later mount replaces them whole: /proc, /dev, /tmp) are only made.
Status open_skeleton_sources(std::vector<TopEntry>* out, const std::vector<std::string>& covered);
// Phase 2: a tmpfs at staging with the entries and the extra directories in it.
Status attach_skeleton(const char* staging, std::vector<TopEntry>& entries, const std::vector<std::string>& extra_dirs);
// Last: the skeleton itself read-only (the binds in it already are).
Status seal_skeleton(int root_fd);

}  // namespace nsj

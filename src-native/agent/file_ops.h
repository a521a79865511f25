// What the file agent does with paths inside the container: every path is resolved in
// the container's root (openat2 RESOLVE_IN_ROOT, no magic links), and its last component
// is never a symlink that gets followed (a program can leave /app/out.txt -> /etc/shadow
// or -> /proc/self/root behind). Each answers its request on the data channel itself;
// a Status that is not ok means the channel is broken.
#pragma once
#include <cstdint>
#include <string>

#include "../common/status.h"
#include "../setup/paths.h"

namespace nsj::agent {

struct Root {
  int fd;       // the container's root
  Owner owner;  // the container's user: what the agent makes is theirs
};

Status read_file(const Root& root, const std::string& path);
// The caller's DATA frames follow, then END.
Status write_file(const Root& root, const std::string& path, uint32_t mode);
Status make_dir(const Root& root, const std::string& path, uint32_t mode);
// The path and, for a directory, everything below it that is not behind a symlink.
Status walk(const Root& root, const std::string& path);

}  // namespace nsj::agent

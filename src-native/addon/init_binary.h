// The init program runs from a sealed memfd copy, made once per Node process: no
// container can write the binary that starts every container (CVE-2019-5736), whatever
// it can reach of node_modules.
#pragma once
#include <string>

namespace nsj {

struct InitBinary {
  int fd = -1;            // the sealed memfd, or -1 when we fell back to the file
  std::string exec_path;  // what posix_spawn executes: /proc/self/fd/N, or the file
  std::string note;       // why we fell back, if we did
};

// Thread-safe; the first successful call wins and later calls reuse it.
bool init_binary(const std::string& path, InitBinary* out, std::string* err);

}  // namespace nsj

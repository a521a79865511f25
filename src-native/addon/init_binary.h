// The init program runs from a sealed memfd copy, made once per Node process: no
// container can write the binary that starts every container (CVE-2019-5736), whatever
// it can reach of node_modules.
#pragma once
#include <string>

namespace nsj {

struct InitBinary {
  int fd = -1;            // the sealed memfd
  std::string exec_path;  // what posix_spawn executes: /proc/self/fd/N
};

// Thread-safe; the first successful call wins and later calls reuse it. 0, or an errno
// with *err saying what failed. There is no fallback to the file on disk: a container
// that can reach node_modules could rewrite it.
int init_binary(const std::string& path, InitBinary* out, std::string* err);

}  // namespace nsj

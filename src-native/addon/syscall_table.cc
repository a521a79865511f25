// The generated table (syscall_table.inc, written by gen_syscall_table.mjs into the build
// directory), looked up by name.
#include "syscall_table.h"

#include <cstring>
#include <unordered_map>

namespace nsj {
namespace {

struct Row {
  const char* arch;
  const char* name;
  int nr;
};

// Sorted by architecture, then name. A vector, not an array: a build for another
// architecture has no rows at all.
const std::vector<Row>& rows() {
  static const std::vector<Row> all = {
#include "syscall_table.inc"
  };
  return all;
}

}  // namespace

const char* syscall_arch_name() {
#if defined(__x86_64__) && !defined(__ILP32__)
  return "x86_64";
#elif defined(__aarch64__) && !defined(__ILP32__)
  return "aarch64";
#else
  return "this architecture";
#endif
}

int syscall_number(const std::string& name) {
  // Built once, on first use (thread-safe static initialisation).
  static const std::unordered_map<std::string, int> by_name = [] {
    std::unordered_map<std::string, int> m;
    for (const SyscallEntry& e : syscall_table()) m.emplace(e.name, e.nr);
    return m;
  }();
  auto it = by_name.find(name);
  return it == by_name.end() ? -1 : it->second;
}

std::vector<SyscallEntry> syscall_table(const std::string& arch) {
  std::vector<SyscallEntry> out;
  for (const Row& r : rows())
    if (arch == r.arch) out.push_back({r.name, r.nr});
  return out;
}

const char* syscall_arch_elsewhere(const std::string& name) {
  for (const Row& r : rows())
    if (name == r.name && std::strcmp(r.arch, syscall_arch_name()) != 0) return r.arch;
  return nullptr;
}

}  // namespace nsj

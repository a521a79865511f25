// System call names of the architecture this build is for, as the kernel numbers them.
// Plain C++ (no Node headers), so native test harnesses can link it too.
#pragma once

#include <string>
#include <vector>

namespace nsj {

struct SyscallEntry {
  const char* name;
  int nr;
};

// The number of a system call on this build's architecture, or -1 if it has none by
// that name (e.g. "open" on aarch64).
int syscall_number(const std::string& name);

// Every system call this build knows, sorted by name.
std::vector<SyscallEntry> syscall_table();

// "x86_64", "aarch64": how error messages name the architecture.
const char* syscall_arch_name();

}  // namespace nsj

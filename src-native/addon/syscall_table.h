// System call names and numbers, generated at build time from the kernel headers
// (gen_syscall_table.mjs). Plain C++ (no Node headers), so native test harnesses can
// link it too.
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

// "x86_64", "aarch64": this build's architecture, as tables and error messages name it.
const char* syscall_arch_name();

// The system calls of `arch` ("x86_64", "aarch64"), sorted by name; empty for an
// architecture whose headers the build did not have.
std::vector<SyscallEntry> syscall_table(const std::string& arch = syscall_arch_name());

// Another architecture that has a system call by this name, or nullptr: for the hint in
// an error (open exists on x86_64 only).
const char* syscall_arch_elsewhere(const std::string& name);

}  // namespace nsj

// The namespaces nsjail-ts knows, in one table: their API name, their /proc/<pid>/ns
// name and their CLONE_NEW* flag. The C++ side reads it here; the addon exports it to
// TypeScript (src-ts/namespaces.ts), so the two languages cannot disagree.
#pragma once
#include <sched.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace nsj::proto {

struct NamespaceInfo {
  const char* type;     // as the API names it: 'mount'
  const char* proc;     // under /proc/<pid>/ns and in NS_PATHS: 'mnt'
  uint32_t clone_flag;  // CLONE_NEWNS
};

// In the order Namespaces.all() lists them: user first, every other is created inside it.
constexpr NamespaceInfo kNamespaces[] = {
    {"user", "user", 0x10000000}, {"pid", "pid", 0x20000000},       {"mount", "mnt", 0x00020000},
    {"uts", "uts", 0x04000000},   {"ipc", "ipc", 0x08000000},       {"net", "net", 0x40000000},
    {"cgroup", "cgroup", 0x02000000}, {"time", "time", 0x00000080},
};
static_assert(CLONE_NEWUSER == 0x10000000 && CLONE_NEWPID == 0x20000000 && CLONE_NEWNS == 0x00020000 &&
              CLONE_NEWUTS == 0x04000000 && CLONE_NEWIPC == 0x08000000 && CLONE_NEWNET == 0x40000000 &&
              CLONE_NEWCGROUP == 0x02000000);

// By /proc name ("mnt"); nullptr if unknown.
inline const NamespaceInfo* namespace_by_proc(std::string_view proc) {
  for (const auto& ns : kNamespaces)
    if (proc == ns.proc) return &ns;
  return nullptr;
}

// "mount,net namespaces" for the flags set, for messages.
inline std::string namespace_names(uint32_t flags) {
  std::string out;
  int n = 0;
  for (const auto& ns : kNamespaces)
    if (flags & ns.clone_flag) {
      out += std::string(out.empty() ? "" : ",") + ns.type;
      n++;
    }
  return out + (n == 1 ? " namespace" : " namespaces");
}

}  // namespace nsj::proto

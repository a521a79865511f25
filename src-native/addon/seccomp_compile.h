// Seccomp policies (API.md SeccompPolicy) compiled to classic BPF for this build's
// architecture, in the addon, so the init program only installs a checked program.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace nsj {
bool compile_seccomp(const Napi::Object& policy, std::vector<uint8_t>* prog, std::string* err);
}  // namespace nsj

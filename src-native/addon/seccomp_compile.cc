// Placeholder until the compiler lands.
#include "seccomp_compile.h"
namespace nsj {
bool compile_seccomp(const Napi::Object&, std::vector<uint8_t>*, std::string* err) {
  *err = "seccomp compiler not built yet";
  return false;
}
}  // namespace nsj

// Seccomp policies (SeccompPolicy, src-ts/seccomp.ts) compiled to classic BPF for this build's
// architecture, in the addon, so the init program only installs a checked program.
//
// The program (struct sock_filter[], native byte order) is laid out as:
//   1. load seccomp_data.arch; anything but this build's AUDIT_ARCH -> KILL_PROCESS
//      (on x86_64 this catches i386 calls made with int 0x80);
//   2. load the syscall number; on x86_64, x32 numbers (bit 0x40000000 set)
//      -> ERRNO(ENOSYS), as on the many kernels built without x32;
//   3. a binary search over the syscall numbers that some rule decides, whose leaves
//      jump to that number's action, or to its argument checks; unknown numbers fall
//      to the default action;
//   4. the argument checks: the number's rules in policy order, each a chain of 64-bit
//      comparisons done as two 32-bit ones;
//   5. the return instructions.
// Jumps further than classic BPF's 8-bit offsets go through an unconditional jump
// (or a copy of the return they aim at). The result is refused above 4096
// instructions (BPF_MAXINSNS).
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace nsj {
// Compiles `policy`, which validateSeccompPolicy (src-ts/seccomp.ts) has checked. On
// failure returns false and sets *err: for an unknown system call a message naming the
// field, e.g. "seccomp.rules[2].syscalls[0]: unknown system call 'foo' on x86_64"; for a
// program over the limit one naming "seccomp"; for input that validation would have
// refused, a message that says so (a caller's bug). Napi::Error propagates for values of
// the wrong JS type and for exceptions thrown by JS getters.
bool compile_seccomp(const Napi::Object& policy, std::vector<uint8_t>* prog, std::string* err);
}  // namespace nsj

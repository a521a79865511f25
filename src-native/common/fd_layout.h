// The fds the addon hands to stage 0 (posix_spawn file actions) and where the stages
// find them. Shared by addon/spawn.cc and nsexec/, and exported to TypeScript.
//
//   0-2                stdio of the main process (/dev/null until a terminal replaces them)
//   3                  the init socket (SOCK_SEQPACKET to the addon)
//   4                  the sealed memfd holding the bootstrap message
//   5                  the sealed memfd holding the fixtures' contents (File mount operations
//                      name offsets in it), or /dev/null when there are none
//   6                  the outputs socket: the reaper sends a run's outputs there once the
//                      main process has ended (Bootstrap::outputs), or /dev/null
//   7 .. 7+E-1         extra fds: they become 3.. in the main process
//   7+E .. 7+E+H-1     held fds: kept by the stages, never passed on (namespaces to join,
//                      named in the bootstrap as /proc/self/fd/N)
#pragma once

namespace nsj {
constexpr int kInitFd = 3;
constexpr int kBootstrapFd = 4;
constexpr int kFilesFd = 5;
constexpr int kOutputsFd = 6;
constexpr int kFirstExtraFd = 7;
}  // namespace nsj

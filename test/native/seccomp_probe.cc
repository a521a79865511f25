// Test harness: makes system calls under a compiled seccomp filter and reports what
// they did, so tests check the BPF in the kernel itself rather than in a model of it.
//
//   seccomp_probe FILTER CALL...   FILTER: a file of struct sock_filter, or '-' for none
//   seccomp_probe --list [ARCH]    the syscall table (this build's, or x86_64's or
//                                  aarch64's): "name number" per line
//
// CALL is NAME[:ARG,ARG...], arguments in C notation (0x5412, -1, 0xffffffff00005412).
// Prefixes: "x32:NAME" calls NAME through the x32 ABI (its number | 0x40000000);
// "i386:getpid" calls getpid through int 0x80 (the i386 ABI). Both x86_64 only.
//
// Each call runs in a child of its own that sets no_new_privs, installs the filter
// (prctl(PR_SET_SECCOMP), as the init program does) and makes the call. The child
// stores the outcome in shared memory (no system call needed, so even a filter that
// denies write or exit cannot hide it); the parent prints one JSON line per call:
//   {"call":"keyctl:0","ret":-1,"errno":1}   the call returned
//   {"call":"getppid","signal":31}            the child died before the call returned
//   {"call":"getpid","install":22}            installing the filter failed (errno)
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "syscall_table.h"

namespace {

struct Outcome {
  volatile int done;
  volatile int install_errno;
  volatile long ret;
  volatile int err;
};

struct Call {
  std::string text;
  std::string abi;  // "", "x32" or "i386"
  std::string name;
  long nr = -1;
  unsigned long args[6] = {0, 0, 0, 0, 0, 0};
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr, "seccomp_probe: %s\nusage: seccomp_probe FILTER|- CALL... | --list [ARCH]\n", why);
  std::exit(2);
}

Call parse_call(const std::string& text) {
  Call c;
  c.text = text;
  std::string rest = text;
  for (const char* abi : {"x32", "i386"}) {
    std::string prefix = std::string(abi) + ":";
    if (rest.compare(0, prefix.size(), prefix) == 0) {
      c.abi = abi;
      rest = rest.substr(prefix.size());
    }
  }
  size_t colon = rest.find(':');
  c.name = rest.substr(0, colon);
  if (colon != std::string::npos) {
    std::string args = rest.substr(colon + 1);
    size_t i = 0, pos = 0;
    while (pos <= args.size()) {
      if (i == 6) usage("more than 6 arguments");
      size_t comma = args.find(',', pos);
      std::string a = args.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      char* end = nullptr;
      errno = 0;
      c.args[i++] = a[0] == '-' ? static_cast<unsigned long>(std::strtoll(a.c_str(), &end, 0))
                                : std::strtoull(a.c_str(), &end, 0);
      if (a.empty() || *end != '\0' || errno) usage(("bad argument: " + a).c_str());
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
  }
  c.nr = nsj::syscall_number(c.name);
  if (c.nr < 0) usage(("unknown system call: " + c.name).c_str());
  return c;
}

bool is_fork_like(const std::string& name) { return name == "clone" || name == "clone3" || name == "fork" || name == "vfork"; }

long invoke(const Call& c, int* err) {
#if defined(__x86_64__)
  if (c.abi == "i386") {
    if (c.name != "getpid") usage("i386: only getpid is supported");
    long ret = 20;  // i386 __NR_getpid
    asm volatile("int $0x80" : "+a"(ret) : : "memory", "r8", "r9", "r10", "r11");
    *err = ret < 0 && ret > -4096 ? static_cast<int>(-ret) : 0;
    return ret < 0 && ret > -4096 ? -1 : ret;
  }
  long nr = c.abi == "x32" ? (c.nr | 0x40000000L) : c.nr;
#else
  if (!c.abi.empty()) usage("x32: and i386: need x86_64");
  long nr = c.nr;
#endif
  errno = 0;
  long ret = syscall(nr, c.args[0], c.args[1], c.args[2], c.args[3], c.args[4], c.args[5]);
  *err = ret == -1 ? errno : 0;
  return ret;
}

void child(const std::vector<sock_filter>* filter, const Call& c, Outcome* out) {
  if (filter) {
    sock_fprog prog;
    prog.len = static_cast<unsigned short>(filter->size());
    prog.filter = const_cast<sock_filter*>(filter->data());
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
      out->install_errno = errno;
      _exit(3);
    }
  }
  int err = 0;
  long ret = invoke(c, &err);
  if (ret == 0 && is_fork_like(c.name)) _exit(0);  // the new process, if the call made one
  out->ret = ret;
  out->err = err;
  out->done = 1;
  _exit(0);  // may itself be denied; the outcome is already stored
}

std::vector<sock_filter> read_filter(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) usage("cannot read the filter file");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty() || bytes.size() % sizeof(sock_filter)) usage("the filter is not a whole number of instructions");
  std::vector<sock_filter> f(bytes.size() / sizeof(sock_filter));
  std::memcpy(f.data(), bytes.data(), bytes.size());
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  if ((argc == 2 || argc == 3) && std::strcmp(argv[1], "--list") == 0) {
    for (const auto& e : nsj::syscall_table(argc == 3 ? argv[2] : nsj::syscall_arch_name()))
      std::printf("%s %d\n", e.name, e.nr);
    return 0;
  }
  if (argc < 3) usage("missing arguments");
  std::vector<sock_filter> filter;
  bool filtered = std::strcmp(argv[1], "-") != 0;
  if (filtered) filter = read_filter(argv[1]);
  std::vector<Call> calls;
  for (int i = 2; i < argc; i++) calls.push_back(parse_call(argv[i]));

  void* shared = mmap(nullptr, sizeof(Outcome), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) usage("mmap failed");
  Outcome* out = static_cast<Outcome*>(shared);
  std::fflush(stdout);
  for (const Call& c : calls) {
    std::memset(shared, 0, sizeof(Outcome));
    pid_t pid = fork();
    if (pid < 0) usage("fork failed");
    if (pid == 0) child(filtered ? &filter : nullptr, c, out);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (out->install_errno)
      std::printf("{\"call\":\"%s\",\"install\":%d}\n", c.text.c_str(), out->install_errno);
    else if (out->done)
      std::printf("{\"call\":\"%s\",\"ret\":%ld,\"errno\":%d}\n", c.text.c_str(), out->ret, out->err);
    else if (WIFSIGNALED(status))
      std::printf("{\"call\":\"%s\",\"signal\":%d}\n", c.text.c_str(), WTERMSIG(status));
    else
      std::printf("{\"call\":\"%s\",\"exit\":%d}\n", c.text.c_str(), WEXITSTATUS(status));
    std::fflush(stdout);
  }
  return 0;
}

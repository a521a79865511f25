// Raw system calls that glibc 2.28 (our prebuild floor) does not wrap, called through
// syscall(2) so the binaries never depend on a newer GLIBC symbol version.
#pragma once
#include <fcntl.h>
#include <linux/types.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cstdint>

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif
#ifndef __NR_close_range
#define __NR_close_range 436
#endif
#ifndef __NR_open_tree
#define __NR_open_tree 428
#endif
#ifndef __NR_move_mount
#define __NR_move_mount 429
#endif
#ifndef __NR_fsopen
#define __NR_fsopen 430
#endif
#ifndef __NR_fsconfig
#define __NR_fsconfig 431
#endif
#ifndef __NR_fsmount
#define __NR_fsmount 432
#endif
#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif
#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 0x0002U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

// New mount API (Linux 5.2+) and mount_setattr (5.12+).
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOVE_MOUNT_T_EMPTY_PATH
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV 0x00000004
#define MOUNT_ATTR_NOEXEC 0x00000008
#endif
#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

// openat2 (5.6+)
#ifndef RESOLVE_NO_XDEV
#define RESOLVE_NO_XDEV 0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS 0x04
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10
#endif

namespace nsj::sys {

struct mount_attr_t {
  uint64_t attr_set;
  uint64_t attr_clr;
  uint64_t propagation;
  uint64_t userns_fd;
};

struct open_how_t {
  uint64_t flags;
  uint64_t mode;
  uint64_t resolve;
};

inline int pidfd_open(pid_t pid, unsigned flags = 0) {
  return static_cast<int>(::syscall(__NR_pidfd_open, pid, flags));
}
inline int pidfd_send_signal(int pidfd, int sig) {
  return static_cast<int>(::syscall(__NR_pidfd_send_signal, pidfd, sig, nullptr, 0));
}
inline int close_range(unsigned first, unsigned last, unsigned flags) {
  return static_cast<int>(::syscall(__NR_close_range, first, last, flags));
}
// Every fd from `first` on closed: close_range, or one by one where a filter refuses it.
inline void close_from(unsigned first) {
  if (close_range(first, ~0U, 0) < 0)
    for (unsigned fd = first; fd < 4096; fd++) ::close(static_cast<int>(fd));
}
inline int open_tree(int dfd, const char* path, unsigned flags) {
  return static_cast<int>(::syscall(__NR_open_tree, dfd, path, flags));
}
inline int move_mount(int from_dfd, const char* from, int to_dfd, const char* to, unsigned flags) {
  return static_cast<int>(::syscall(__NR_move_mount, from_dfd, from, to_dfd, to, flags));
}
inline int mount_setattr(int dfd, const char* path, unsigned flags, mount_attr_t* attr) {
  return static_cast<int>(::syscall(__NR_mount_setattr, dfd, path, flags, attr, sizeof(*attr)));
}
inline int openat2(int dfd, const char* path, open_how_t* how) {
  return static_cast<int>(::syscall(__NR_openat2, dfd, path, how, sizeof(*how)));
}
inline int pivot_root(const char* new_root, const char* put_old) {
  return static_cast<int>(::syscall(SYS_pivot_root, new_root, put_old));
}
// fork-like clone: no new stack (the child runs on a copy of ours), extra flags such as
// CLONE_PARENT. The child must avoid glibc's pthread state (raise(), abort()), which
// still names the parent's thread.
inline pid_t clone_fork(unsigned long flags) {
  return static_cast<pid_t>(::syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr));
}

// clone3's arguments (linux/sched.h, version 2: with cgroup).
struct clone_args_t {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

// clone_fork with CLONE_PARENT into the cgroup `cgroup_fd` (CLONE_INTO_CGROUP, Linux 5.7):
// no stack and no CLONE_VM, so it behaves like fork. With CLONE_PARENT the kernel wants
// exit_signal 0 (the child gets its parent's). ENOSYS/E2BIG/EINVAL: no such clone here.
inline pid_t clone3_parent_into_cgroup(int cgroup_fd) {
  clone_args_t args = {};
  args.flags = CLONE_PARENT | CLONE_INTO_CGROUP;
  args.cgroup = static_cast<uint64_t>(cgroup_fd);
  return static_cast<pid_t>(::syscall(__NR_clone3, &args, sizeof args));
}

// waitid as the kernel has it: glibc's wrapper drops the fifth argument, the rusage of
// the child and every descendant it waited for.
inline int waitid_rusage(idtype_t type, id_t id, siginfo_t* info, int options, struct rusage* ru) {
  return static_cast<int>(::syscall(SYS_waitid, type, id, info, options, ru));
}

}  // namespace nsj::sys

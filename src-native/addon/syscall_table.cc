// System call names -> numbers for the architecture this file is compiled for.
//
// The numbers come from the kernel headers' __NR_* macros; each name is guarded by
// #ifdef, so one list serves x86_64 and aarch64 (and any name an architecture lacks is
// simply absent). The list is the union of both architectures' <asm/unistd.h> (Linux 6.1
// headers), generated once and kept sorted by name.
#include "syscall_table.h"

#include <asm/unistd.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

namespace nsj {
namespace {

#define NSJ_SYSCALL(name) {#name, __NR_##name},
// Numbers from 424 up are shared by every architecture (the kernel numbers new system
// calls in one sequence since 5.1), so a call newer than the build machine's headers can
// still be named: the header's number wins when it exists.
#define NSJ_UNIFIED(name, nr) {#name, nr},

const SyscallEntry kTable[] = {
#ifdef __NR__sysctl
    NSJ_SYSCALL(_sysctl)
#endif
#ifdef __NR_accept
    NSJ_SYSCALL(accept)
#endif
#ifdef __NR_accept4
    NSJ_SYSCALL(accept4)
#endif
#ifdef __NR_access
    NSJ_SYSCALL(access)
#endif
#ifdef __NR_acct
    NSJ_SYSCALL(acct)
#endif
#ifdef __NR_add_key
    NSJ_SYSCALL(add_key)
#endif
#ifdef __NR_adjtimex
    NSJ_SYSCALL(adjtimex)
#endif
#ifdef __NR_afs_syscall
    NSJ_SYSCALL(afs_syscall)
#endif
#ifdef __NR_alarm
    NSJ_SYSCALL(alarm)
#endif
#ifdef __NR_arch_prctl
    NSJ_SYSCALL(arch_prctl)
#endif
#ifdef __NR_bind
    NSJ_SYSCALL(bind)
#endif
#ifdef __NR_bpf
    NSJ_SYSCALL(bpf)
#endif
#ifdef __NR_brk
    NSJ_SYSCALL(brk)
#endif
#ifdef __NR_capget
    NSJ_SYSCALL(capget)
#endif
#ifdef __NR_capset
    NSJ_SYSCALL(capset)
#endif
#ifdef __NR_chdir
    NSJ_SYSCALL(chdir)
#endif
#ifdef __NR_chmod
    NSJ_SYSCALL(chmod)
#endif
#ifdef __NR_chown
    NSJ_SYSCALL(chown)
#endif
#ifdef __NR_chroot
    NSJ_SYSCALL(chroot)
#endif
#ifdef __NR_clock_adjtime
    NSJ_SYSCALL(clock_adjtime)
#endif
#ifdef __NR_clock_getres
    NSJ_SYSCALL(clock_getres)
#endif
#ifdef __NR_clock_gettime
    NSJ_SYSCALL(clock_gettime)
#endif
#ifdef __NR_clock_nanosleep
    NSJ_SYSCALL(clock_nanosleep)
#endif
#ifdef __NR_clock_settime
    NSJ_SYSCALL(clock_settime)
#endif
#ifdef __NR_clone
    NSJ_SYSCALL(clone)
#endif
#ifdef __NR_close
    NSJ_SYSCALL(close)
#endif
#ifdef __NR_connect
    NSJ_SYSCALL(connect)
#endif
#ifdef __NR_copy_file_range
    NSJ_SYSCALL(copy_file_range)
#endif
#ifdef __NR_creat
    NSJ_SYSCALL(creat)
#endif
#ifdef __NR_create_module
    NSJ_SYSCALL(create_module)
#endif
#ifdef __NR_delete_module
    NSJ_SYSCALL(delete_module)
#endif
#ifdef __NR_dup
    NSJ_SYSCALL(dup)
#endif
#ifdef __NR_dup2
    NSJ_SYSCALL(dup2)
#endif
#ifdef __NR_dup3
    NSJ_SYSCALL(dup3)
#endif
#ifdef __NR_epoll_create
    NSJ_SYSCALL(epoll_create)
#endif
#ifdef __NR_epoll_create1
    NSJ_SYSCALL(epoll_create1)
#endif
#ifdef __NR_epoll_ctl
    NSJ_SYSCALL(epoll_ctl)
#endif
#ifdef __NR_epoll_ctl_old
    NSJ_SYSCALL(epoll_ctl_old)
#endif
#ifdef __NR_epoll_pwait
    NSJ_SYSCALL(epoll_pwait)
#endif
#ifdef __NR_epoll_wait
    NSJ_SYSCALL(epoll_wait)
#endif
#ifdef __NR_epoll_wait_old
    NSJ_SYSCALL(epoll_wait_old)
#endif
#ifdef __NR_eventfd
    NSJ_SYSCALL(eventfd)
#endif
#ifdef __NR_eventfd2
    NSJ_SYSCALL(eventfd2)
#endif
#ifdef __NR_execve
    NSJ_SYSCALL(execve)
#endif
#ifdef __NR_execveat
    NSJ_SYSCALL(execveat)
#endif
#ifdef __NR_exit
    NSJ_SYSCALL(exit)
#endif
#ifdef __NR_exit_group
    NSJ_SYSCALL(exit_group)
#endif
#ifdef __NR_faccessat
    NSJ_SYSCALL(faccessat)
#endif
#ifdef __NR_fadvise64
    NSJ_SYSCALL(fadvise64)
#endif
#ifdef __NR_fallocate
    NSJ_SYSCALL(fallocate)
#endif
#ifdef __NR_fanotify_init
    NSJ_SYSCALL(fanotify_init)
#endif
#ifdef __NR_fanotify_mark
    NSJ_SYSCALL(fanotify_mark)
#endif
#ifdef __NR_fchdir
    NSJ_SYSCALL(fchdir)
#endif
#ifdef __NR_fchmod
    NSJ_SYSCALL(fchmod)
#endif
#ifdef __NR_fchmodat
    NSJ_SYSCALL(fchmodat)
#endif
#ifdef __NR_fchown
    NSJ_SYSCALL(fchown)
#endif
#ifdef __NR_fchownat
    NSJ_SYSCALL(fchownat)
#endif
#ifdef __NR_fcntl
    NSJ_SYSCALL(fcntl)
#endif
#ifdef __NR_fdatasync
    NSJ_SYSCALL(fdatasync)
#endif
#ifdef __NR_fgetxattr
    NSJ_SYSCALL(fgetxattr)
#endif
#ifdef __NR_finit_module
    NSJ_SYSCALL(finit_module)
#endif
#ifdef __NR_flistxattr
    NSJ_SYSCALL(flistxattr)
#endif
#ifdef __NR_flock
    NSJ_SYSCALL(flock)
#endif
#ifdef __NR_fork
    NSJ_SYSCALL(fork)
#endif
#ifdef __NR_fremovexattr
    NSJ_SYSCALL(fremovexattr)
#endif
#ifdef __NR_fsetxattr
    NSJ_SYSCALL(fsetxattr)
#endif
#ifdef __NR_fstat
    NSJ_SYSCALL(fstat)
#endif
#ifdef __NR_fstatfs
    NSJ_SYSCALL(fstatfs)
#endif
#ifdef __NR_fsync
    NSJ_SYSCALL(fsync)
#endif
#ifdef __NR_ftruncate
    NSJ_SYSCALL(ftruncate)
#endif
#ifdef __NR_futex
    NSJ_SYSCALL(futex)
#endif
#ifdef __NR_futimesat
    NSJ_SYSCALL(futimesat)
#endif
#ifdef __NR_get_kernel_syms
    NSJ_SYSCALL(get_kernel_syms)
#endif
#ifdef __NR_get_mempolicy
    NSJ_SYSCALL(get_mempolicy)
#endif
#ifdef __NR_get_robust_list
    NSJ_SYSCALL(get_robust_list)
#endif
#ifdef __NR_get_thread_area
    NSJ_SYSCALL(get_thread_area)
#endif
#ifdef __NR_getcpu
    NSJ_SYSCALL(getcpu)
#endif
#ifdef __NR_getcwd
    NSJ_SYSCALL(getcwd)
#endif
#ifdef __NR_getdents
    NSJ_SYSCALL(getdents)
#endif
#ifdef __NR_getdents64
    NSJ_SYSCALL(getdents64)
#endif
#ifdef __NR_getegid
    NSJ_SYSCALL(getegid)
#endif
#ifdef __NR_geteuid
    NSJ_SYSCALL(geteuid)
#endif
#ifdef __NR_getgid
    NSJ_SYSCALL(getgid)
#endif
#ifdef __NR_getgroups
    NSJ_SYSCALL(getgroups)
#endif
#ifdef __NR_getitimer
    NSJ_SYSCALL(getitimer)
#endif
#ifdef __NR_getpeername
    NSJ_SYSCALL(getpeername)
#endif
#ifdef __NR_getpgid
    NSJ_SYSCALL(getpgid)
#endif
#ifdef __NR_getpgrp
    NSJ_SYSCALL(getpgrp)
#endif
#ifdef __NR_getpid
    NSJ_SYSCALL(getpid)
#endif
#ifdef __NR_getpmsg
    NSJ_SYSCALL(getpmsg)
#endif
#ifdef __NR_getppid
    NSJ_SYSCALL(getppid)
#endif
#ifdef __NR_getpriority
    NSJ_SYSCALL(getpriority)
#endif
#ifdef __NR_getrandom
    NSJ_SYSCALL(getrandom)
#endif
#ifdef __NR_getresgid
    NSJ_SYSCALL(getresgid)
#endif
#ifdef __NR_getresuid
    NSJ_SYSCALL(getresuid)
#endif
#ifdef __NR_getrlimit
    NSJ_SYSCALL(getrlimit)
#endif
#ifdef __NR_getrusage
    NSJ_SYSCALL(getrusage)
#endif
#ifdef __NR_getsid
    NSJ_SYSCALL(getsid)
#endif
#ifdef __NR_getsockname
    NSJ_SYSCALL(getsockname)
#endif
#ifdef __NR_getsockopt
    NSJ_SYSCALL(getsockopt)
#endif
#ifdef __NR_gettid
    NSJ_SYSCALL(gettid)
#endif
#ifdef __NR_gettimeofday
    NSJ_SYSCALL(gettimeofday)
#endif
#ifdef __NR_getuid
    NSJ_SYSCALL(getuid)
#endif
#ifdef __NR_getxattr
    NSJ_SYSCALL(getxattr)
#endif
#ifdef __NR_init_module
    NSJ_SYSCALL(init_module)
#endif
#ifdef __NR_inotify_add_watch
    NSJ_SYSCALL(inotify_add_watch)
#endif
#ifdef __NR_inotify_init
    NSJ_SYSCALL(inotify_init)
#endif
#ifdef __NR_inotify_init1
    NSJ_SYSCALL(inotify_init1)
#endif
#ifdef __NR_inotify_rm_watch
    NSJ_SYSCALL(inotify_rm_watch)
#endif
#ifdef __NR_io_cancel
    NSJ_SYSCALL(io_cancel)
#endif
#ifdef __NR_io_destroy
    NSJ_SYSCALL(io_destroy)
#endif
#ifdef __NR_io_getevents
    NSJ_SYSCALL(io_getevents)
#endif
#ifdef __NR_io_pgetevents
    NSJ_SYSCALL(io_pgetevents)
#endif
#ifdef __NR_io_setup
    NSJ_SYSCALL(io_setup)
#endif
#ifdef __NR_io_submit
    NSJ_SYSCALL(io_submit)
#endif
#ifdef __NR_ioctl
    NSJ_SYSCALL(ioctl)
#endif
#ifdef __NR_ioperm
    NSJ_SYSCALL(ioperm)
#endif
#ifdef __NR_iopl
    NSJ_SYSCALL(iopl)
#endif
#ifdef __NR_ioprio_get
    NSJ_SYSCALL(ioprio_get)
#endif
#ifdef __NR_ioprio_set
    NSJ_SYSCALL(ioprio_set)
#endif
#ifdef __NR_kcmp
    NSJ_SYSCALL(kcmp)
#endif
#ifdef __NR_kexec_file_load
    NSJ_SYSCALL(kexec_file_load)
#endif
#ifdef __NR_kexec_load
    NSJ_SYSCALL(kexec_load)
#endif
#ifdef __NR_keyctl
    NSJ_SYSCALL(keyctl)
#endif
#ifdef __NR_kill
    NSJ_SYSCALL(kill)
#endif
#ifdef __NR_lchown
    NSJ_SYSCALL(lchown)
#endif
#ifdef __NR_lgetxattr
    NSJ_SYSCALL(lgetxattr)
#endif
#ifdef __NR_link
    NSJ_SYSCALL(link)
#endif
#ifdef __NR_linkat
    NSJ_SYSCALL(linkat)
#endif
#ifdef __NR_listen
    NSJ_SYSCALL(listen)
#endif
#ifdef __NR_listxattr
    NSJ_SYSCALL(listxattr)
#endif
#ifdef __NR_llistxattr
    NSJ_SYSCALL(llistxattr)
#endif
#ifdef __NR_lookup_dcookie
    NSJ_SYSCALL(lookup_dcookie)
#endif
#ifdef __NR_lremovexattr
    NSJ_SYSCALL(lremovexattr)
#endif
#ifdef __NR_lseek
    NSJ_SYSCALL(lseek)
#endif
#ifdef __NR_lsetxattr
    NSJ_SYSCALL(lsetxattr)
#endif
#ifdef __NR_lstat
    NSJ_SYSCALL(lstat)
#endif
#ifdef __NR_madvise
    NSJ_SYSCALL(madvise)
#endif
#ifdef __NR_mbind
    NSJ_SYSCALL(mbind)
#endif
#ifdef __NR_membarrier
    NSJ_SYSCALL(membarrier)
#endif
#ifdef __NR_memfd_create
    NSJ_SYSCALL(memfd_create)
#endif
#ifdef __NR_migrate_pages
    NSJ_SYSCALL(migrate_pages)
#endif
#ifdef __NR_mincore
    NSJ_SYSCALL(mincore)
#endif
#ifdef __NR_mkdir
    NSJ_SYSCALL(mkdir)
#endif
#ifdef __NR_mkdirat
    NSJ_SYSCALL(mkdirat)
#endif
#ifdef __NR_mknod
    NSJ_SYSCALL(mknod)
#endif
#ifdef __NR_mknodat
    NSJ_SYSCALL(mknodat)
#endif
#ifdef __NR_mlock
    NSJ_SYSCALL(mlock)
#endif
#ifdef __NR_mlock2
    NSJ_SYSCALL(mlock2)
#endif
#ifdef __NR_mlockall
    NSJ_SYSCALL(mlockall)
#endif
#ifdef __NR_mmap
    NSJ_SYSCALL(mmap)
#endif
#ifdef __NR_modify_ldt
    NSJ_SYSCALL(modify_ldt)
#endif
#ifdef __NR_mount
    NSJ_SYSCALL(mount)
#endif
#ifdef __NR_move_pages
    NSJ_SYSCALL(move_pages)
#endif
#ifdef __NR_mprotect
    NSJ_SYSCALL(mprotect)
#endif
#ifdef __NR_mq_getsetattr
    NSJ_SYSCALL(mq_getsetattr)
#endif
#ifdef __NR_mq_notify
    NSJ_SYSCALL(mq_notify)
#endif
#ifdef __NR_mq_open
    NSJ_SYSCALL(mq_open)
#endif
#ifdef __NR_mq_timedreceive
    NSJ_SYSCALL(mq_timedreceive)
#endif
#ifdef __NR_mq_timedsend
    NSJ_SYSCALL(mq_timedsend)
#endif
#ifdef __NR_mq_unlink
    NSJ_SYSCALL(mq_unlink)
#endif
#ifdef __NR_mremap
    NSJ_SYSCALL(mremap)
#endif
#ifdef __NR_msgctl
    NSJ_SYSCALL(msgctl)
#endif
#ifdef __NR_msgget
    NSJ_SYSCALL(msgget)
#endif
#ifdef __NR_msgrcv
    NSJ_SYSCALL(msgrcv)
#endif
#ifdef __NR_msgsnd
    NSJ_SYSCALL(msgsnd)
#endif
#ifdef __NR_msync
    NSJ_SYSCALL(msync)
#endif
#ifdef __NR_munlock
    NSJ_SYSCALL(munlock)
#endif
#ifdef __NR_munlockall
    NSJ_SYSCALL(munlockall)
#endif
#ifdef __NR_munmap
    NSJ_SYSCALL(munmap)
#endif
#ifdef __NR_name_to_handle_at
    NSJ_SYSCALL(name_to_handle_at)
#endif
#ifdef __NR_nanosleep
    NSJ_SYSCALL(nanosleep)
#endif
#ifdef __NR_newfstatat
    NSJ_SYSCALL(newfstatat)
#endif
#ifdef __NR_nfsservctl
    NSJ_SYSCALL(nfsservctl)
#endif
#ifdef __NR_open
    NSJ_SYSCALL(open)
#endif
#ifdef __NR_open_by_handle_at
    NSJ_SYSCALL(open_by_handle_at)
#endif
#ifdef __NR_openat
    NSJ_SYSCALL(openat)
#endif
#ifdef __NR_pause
    NSJ_SYSCALL(pause)
#endif
#ifdef __NR_perf_event_open
    NSJ_SYSCALL(perf_event_open)
#endif
#ifdef __NR_personality
    NSJ_SYSCALL(personality)
#endif
#ifdef __NR_pipe
    NSJ_SYSCALL(pipe)
#endif
#ifdef __NR_pipe2
    NSJ_SYSCALL(pipe2)
#endif
#ifdef __NR_pivot_root
    NSJ_SYSCALL(pivot_root)
#endif
#ifdef __NR_pkey_alloc
    NSJ_SYSCALL(pkey_alloc)
#endif
#ifdef __NR_pkey_free
    NSJ_SYSCALL(pkey_free)
#endif
#ifdef __NR_pkey_mprotect
    NSJ_SYSCALL(pkey_mprotect)
#endif
#ifdef __NR_poll
    NSJ_SYSCALL(poll)
#endif
#ifdef __NR_ppoll
    NSJ_SYSCALL(ppoll)
#endif
#ifdef __NR_prctl
    NSJ_SYSCALL(prctl)
#endif
#ifdef __NR_pread64
    NSJ_SYSCALL(pread64)
#endif
#ifdef __NR_preadv
    NSJ_SYSCALL(preadv)
#endif
#ifdef __NR_preadv2
    NSJ_SYSCALL(preadv2)
#endif
#ifdef __NR_prlimit64
    NSJ_SYSCALL(prlimit64)
#endif
#ifdef __NR_process_vm_readv
    NSJ_SYSCALL(process_vm_readv)
#endif
#ifdef __NR_process_vm_writev
    NSJ_SYSCALL(process_vm_writev)
#endif
#ifdef __NR_pselect6
    NSJ_SYSCALL(pselect6)
#endif
#ifdef __NR_ptrace
    NSJ_SYSCALL(ptrace)
#endif
#ifdef __NR_putpmsg
    NSJ_SYSCALL(putpmsg)
#endif
#ifdef __NR_pwrite64
    NSJ_SYSCALL(pwrite64)
#endif
#ifdef __NR_pwritev
    NSJ_SYSCALL(pwritev)
#endif
#ifdef __NR_pwritev2
    NSJ_SYSCALL(pwritev2)
#endif
#ifdef __NR_query_module
    NSJ_SYSCALL(query_module)
#endif
#ifdef __NR_quotactl
    NSJ_SYSCALL(quotactl)
#endif
#ifdef __NR_read
    NSJ_SYSCALL(read)
#endif
#ifdef __NR_readahead
    NSJ_SYSCALL(readahead)
#endif
#ifdef __NR_readlink
    NSJ_SYSCALL(readlink)
#endif
#ifdef __NR_readlinkat
    NSJ_SYSCALL(readlinkat)
#endif
#ifdef __NR_readv
    NSJ_SYSCALL(readv)
#endif
#ifdef __NR_reboot
    NSJ_SYSCALL(reboot)
#endif
#ifdef __NR_recvfrom
    NSJ_SYSCALL(recvfrom)
#endif
#ifdef __NR_recvmmsg
    NSJ_SYSCALL(recvmmsg)
#endif
#ifdef __NR_recvmsg
    NSJ_SYSCALL(recvmsg)
#endif
#ifdef __NR_remap_file_pages
    NSJ_SYSCALL(remap_file_pages)
#endif
#ifdef __NR_removexattr
    NSJ_SYSCALL(removexattr)
#endif
#ifdef __NR_rename
    NSJ_SYSCALL(rename)
#endif
#ifdef __NR_renameat
    NSJ_SYSCALL(renameat)
#endif
#ifdef __NR_renameat2
    NSJ_SYSCALL(renameat2)
#endif
#ifdef __NR_request_key
    NSJ_SYSCALL(request_key)
#endif
#ifdef __NR_restart_syscall
    NSJ_SYSCALL(restart_syscall)
#endif
#ifdef __NR_rmdir
    NSJ_SYSCALL(rmdir)
#endif
#ifdef __NR_rseq
    NSJ_SYSCALL(rseq)
#endif
#ifdef __NR_rt_sigaction
    NSJ_SYSCALL(rt_sigaction)
#endif
#ifdef __NR_rt_sigpending
    NSJ_SYSCALL(rt_sigpending)
#endif
#ifdef __NR_rt_sigprocmask
    NSJ_SYSCALL(rt_sigprocmask)
#endif
#ifdef __NR_rt_sigqueueinfo
    NSJ_SYSCALL(rt_sigqueueinfo)
#endif
#ifdef __NR_rt_sigreturn
    NSJ_SYSCALL(rt_sigreturn)
#endif
#ifdef __NR_rt_sigsuspend
    NSJ_SYSCALL(rt_sigsuspend)
#endif
#ifdef __NR_rt_sigtimedwait
    NSJ_SYSCALL(rt_sigtimedwait)
#endif
#ifdef __NR_rt_tgsigqueueinfo
    NSJ_SYSCALL(rt_tgsigqueueinfo)
#endif
#ifdef __NR_sched_get_priority_max
    NSJ_SYSCALL(sched_get_priority_max)
#endif
#ifdef __NR_sched_get_priority_min
    NSJ_SYSCALL(sched_get_priority_min)
#endif
#ifdef __NR_sched_getaffinity
    NSJ_SYSCALL(sched_getaffinity)
#endif
#ifdef __NR_sched_getattr
    NSJ_SYSCALL(sched_getattr)
#endif
#ifdef __NR_sched_getparam
    NSJ_SYSCALL(sched_getparam)
#endif
#ifdef __NR_sched_getscheduler
    NSJ_SYSCALL(sched_getscheduler)
#endif
#ifdef __NR_sched_rr_get_interval
    NSJ_SYSCALL(sched_rr_get_interval)
#endif
#ifdef __NR_sched_setaffinity
    NSJ_SYSCALL(sched_setaffinity)
#endif
#ifdef __NR_sched_setattr
    NSJ_SYSCALL(sched_setattr)
#endif
#ifdef __NR_sched_setparam
    NSJ_SYSCALL(sched_setparam)
#endif
#ifdef __NR_sched_setscheduler
    NSJ_SYSCALL(sched_setscheduler)
#endif
#ifdef __NR_sched_yield
    NSJ_SYSCALL(sched_yield)
#endif
#ifdef __NR_seccomp
    NSJ_SYSCALL(seccomp)
#endif
#ifdef __NR_security
    NSJ_SYSCALL(security)
#endif
#ifdef __NR_select
    NSJ_SYSCALL(select)
#endif
#ifdef __NR_semctl
    NSJ_SYSCALL(semctl)
#endif
#ifdef __NR_semget
    NSJ_SYSCALL(semget)
#endif
#ifdef __NR_semop
    NSJ_SYSCALL(semop)
#endif
#ifdef __NR_semtimedop
    NSJ_SYSCALL(semtimedop)
#endif
#ifdef __NR_sendfile
    NSJ_SYSCALL(sendfile)
#endif
#ifdef __NR_sendmmsg
    NSJ_SYSCALL(sendmmsg)
#endif
#ifdef __NR_sendmsg
    NSJ_SYSCALL(sendmsg)
#endif
#ifdef __NR_sendto
    NSJ_SYSCALL(sendto)
#endif
#ifdef __NR_set_mempolicy
    NSJ_SYSCALL(set_mempolicy)
#endif
#ifdef __NR_set_robust_list
    NSJ_SYSCALL(set_robust_list)
#endif
#ifdef __NR_set_thread_area
    NSJ_SYSCALL(set_thread_area)
#endif
#ifdef __NR_set_tid_address
    NSJ_SYSCALL(set_tid_address)
#endif
#ifdef __NR_setdomainname
    NSJ_SYSCALL(setdomainname)
#endif
#ifdef __NR_setfsgid
    NSJ_SYSCALL(setfsgid)
#endif
#ifdef __NR_setfsuid
    NSJ_SYSCALL(setfsuid)
#endif
#ifdef __NR_setgid
    NSJ_SYSCALL(setgid)
#endif
#ifdef __NR_setgroups
    NSJ_SYSCALL(setgroups)
#endif
#ifdef __NR_sethostname
    NSJ_SYSCALL(sethostname)
#endif
#ifdef __NR_setitimer
    NSJ_SYSCALL(setitimer)
#endif
#ifdef __NR_setns
    NSJ_SYSCALL(setns)
#endif
#ifdef __NR_setpgid
    NSJ_SYSCALL(setpgid)
#endif
#ifdef __NR_setpriority
    NSJ_SYSCALL(setpriority)
#endif
#ifdef __NR_setregid
    NSJ_SYSCALL(setregid)
#endif
#ifdef __NR_setresgid
    NSJ_SYSCALL(setresgid)
#endif
#ifdef __NR_setresuid
    NSJ_SYSCALL(setresuid)
#endif
#ifdef __NR_setreuid
    NSJ_SYSCALL(setreuid)
#endif
#ifdef __NR_setrlimit
    NSJ_SYSCALL(setrlimit)
#endif
#ifdef __NR_setsid
    NSJ_SYSCALL(setsid)
#endif
#ifdef __NR_setsockopt
    NSJ_SYSCALL(setsockopt)
#endif
#ifdef __NR_settimeofday
    NSJ_SYSCALL(settimeofday)
#endif
#ifdef __NR_setuid
    NSJ_SYSCALL(setuid)
#endif
#ifdef __NR_setxattr
    NSJ_SYSCALL(setxattr)
#endif
#ifdef __NR_shmat
    NSJ_SYSCALL(shmat)
#endif
#ifdef __NR_shmctl
    NSJ_SYSCALL(shmctl)
#endif
#ifdef __NR_shmdt
    NSJ_SYSCALL(shmdt)
#endif
#ifdef __NR_shmget
    NSJ_SYSCALL(shmget)
#endif
#ifdef __NR_shutdown
    NSJ_SYSCALL(shutdown)
#endif
#ifdef __NR_sigaltstack
    NSJ_SYSCALL(sigaltstack)
#endif
#ifdef __NR_signalfd
    NSJ_SYSCALL(signalfd)
#endif
#ifdef __NR_signalfd4
    NSJ_SYSCALL(signalfd4)
#endif
#ifdef __NR_socket
    NSJ_SYSCALL(socket)
#endif
#ifdef __NR_socketpair
    NSJ_SYSCALL(socketpair)
#endif
#ifdef __NR_splice
    NSJ_SYSCALL(splice)
#endif
#ifdef __NR_stat
    NSJ_SYSCALL(stat)
#endif
#ifdef __NR_statfs
    NSJ_SYSCALL(statfs)
#endif
#ifdef __NR_statx
    NSJ_SYSCALL(statx)
#endif
#ifdef __NR_swapoff
    NSJ_SYSCALL(swapoff)
#endif
#ifdef __NR_swapon
    NSJ_SYSCALL(swapon)
#endif
#ifdef __NR_symlink
    NSJ_SYSCALL(symlink)
#endif
#ifdef __NR_symlinkat
    NSJ_SYSCALL(symlinkat)
#endif
#ifdef __NR_sync
    NSJ_SYSCALL(sync)
#endif
#ifdef __NR_sync_file_range
    NSJ_SYSCALL(sync_file_range)
#endif
#ifdef __NR_syncfs
    NSJ_SYSCALL(syncfs)
#endif
#ifdef __NR_sysfs
    NSJ_SYSCALL(sysfs)
#endif
#ifdef __NR_sysinfo
    NSJ_SYSCALL(sysinfo)
#endif
#ifdef __NR_syslog
    NSJ_SYSCALL(syslog)
#endif
#ifdef __NR_tee
    NSJ_SYSCALL(tee)
#endif
#ifdef __NR_tgkill
    NSJ_SYSCALL(tgkill)
#endif
#ifdef __NR_time
    NSJ_SYSCALL(time)
#endif
#ifdef __NR_timer_create
    NSJ_SYSCALL(timer_create)
#endif
#ifdef __NR_timer_delete
    NSJ_SYSCALL(timer_delete)
#endif
#ifdef __NR_timer_getoverrun
    NSJ_SYSCALL(timer_getoverrun)
#endif
#ifdef __NR_timer_gettime
    NSJ_SYSCALL(timer_gettime)
#endif
#ifdef __NR_timer_settime
    NSJ_SYSCALL(timer_settime)
#endif
#ifdef __NR_timerfd_create
    NSJ_SYSCALL(timerfd_create)
#endif
#ifdef __NR_timerfd_gettime
    NSJ_SYSCALL(timerfd_gettime)
#endif
#ifdef __NR_timerfd_settime
    NSJ_SYSCALL(timerfd_settime)
#endif
#ifdef __NR_times
    NSJ_SYSCALL(times)
#endif
#ifdef __NR_tkill
    NSJ_SYSCALL(tkill)
#endif
#ifdef __NR_truncate
    NSJ_SYSCALL(truncate)
#endif
#ifdef __NR_tuxcall
    NSJ_SYSCALL(tuxcall)
#endif
#ifdef __NR_umask
    NSJ_SYSCALL(umask)
#endif
#ifdef __NR_umount2
    NSJ_SYSCALL(umount2)
#endif
#ifdef __NR_uname
    NSJ_SYSCALL(uname)
#endif
#ifdef __NR_unlink
    NSJ_SYSCALL(unlink)
#endif
#ifdef __NR_unlinkat
    NSJ_SYSCALL(unlinkat)
#endif
#ifdef __NR_unshare
    NSJ_SYSCALL(unshare)
#endif
#ifdef __NR_uselib
    NSJ_SYSCALL(uselib)
#endif
#ifdef __NR_userfaultfd
    NSJ_SYSCALL(userfaultfd)
#endif
#ifdef __NR_ustat
    NSJ_SYSCALL(ustat)
#endif
#ifdef __NR_utime
    NSJ_SYSCALL(utime)
#endif
#ifdef __NR_utimensat
    NSJ_SYSCALL(utimensat)
#endif
#ifdef __NR_utimes
    NSJ_SYSCALL(utimes)
#endif
#ifdef __NR_vfork
    NSJ_SYSCALL(vfork)
#endif
#ifdef __NR_vhangup
    NSJ_SYSCALL(vhangup)
#endif
#ifdef __NR_vmsplice
    NSJ_SYSCALL(vmsplice)
#endif
#ifdef __NR_vserver
    NSJ_SYSCALL(vserver)
#endif
#ifdef __NR_wait4
    NSJ_SYSCALL(wait4)
#endif
#ifdef __NR_waitid
    NSJ_SYSCALL(waitid)
#endif
#ifdef __NR_write
    NSJ_SYSCALL(write)
#endif
#ifdef __NR_writev
    NSJ_SYSCALL(writev)
#endif

// The unified range (424 and up).
#if defined(__x86_64__) || defined(__aarch64__)
#ifdef __NR_pidfd_send_signal
    NSJ_SYSCALL(pidfd_send_signal)
#else
    NSJ_UNIFIED(pidfd_send_signal, 424)
#endif
#ifdef __NR_io_uring_setup
    NSJ_SYSCALL(io_uring_setup)
#else
    NSJ_UNIFIED(io_uring_setup, 425)
#endif
#ifdef __NR_io_uring_enter
    NSJ_SYSCALL(io_uring_enter)
#else
    NSJ_UNIFIED(io_uring_enter, 426)
#endif
#ifdef __NR_io_uring_register
    NSJ_SYSCALL(io_uring_register)
#else
    NSJ_UNIFIED(io_uring_register, 427)
#endif
#ifdef __NR_open_tree
    NSJ_SYSCALL(open_tree)
#else
    NSJ_UNIFIED(open_tree, 428)
#endif
#ifdef __NR_move_mount
    NSJ_SYSCALL(move_mount)
#else
    NSJ_UNIFIED(move_mount, 429)
#endif
#ifdef __NR_fsopen
    NSJ_SYSCALL(fsopen)
#else
    NSJ_UNIFIED(fsopen, 430)
#endif
#ifdef __NR_fsconfig
    NSJ_SYSCALL(fsconfig)
#else
    NSJ_UNIFIED(fsconfig, 431)
#endif
#ifdef __NR_fsmount
    NSJ_SYSCALL(fsmount)
#else
    NSJ_UNIFIED(fsmount, 432)
#endif
#ifdef __NR_fspick
    NSJ_SYSCALL(fspick)
#else
    NSJ_UNIFIED(fspick, 433)
#endif
#ifdef __NR_pidfd_open
    NSJ_SYSCALL(pidfd_open)
#else
    NSJ_UNIFIED(pidfd_open, 434)
#endif
#ifdef __NR_clone3
    NSJ_SYSCALL(clone3)
#else
    NSJ_UNIFIED(clone3, 435)
#endif
#ifdef __NR_close_range
    NSJ_SYSCALL(close_range)
#else
    NSJ_UNIFIED(close_range, 436)
#endif
#ifdef __NR_openat2
    NSJ_SYSCALL(openat2)
#else
    NSJ_UNIFIED(openat2, 437)
#endif
#ifdef __NR_pidfd_getfd
    NSJ_SYSCALL(pidfd_getfd)
#else
    NSJ_UNIFIED(pidfd_getfd, 438)
#endif
#ifdef __NR_faccessat2
    NSJ_SYSCALL(faccessat2)
#else
    NSJ_UNIFIED(faccessat2, 439)
#endif
#ifdef __NR_process_madvise
    NSJ_SYSCALL(process_madvise)
#else
    NSJ_UNIFIED(process_madvise, 440)
#endif
#ifdef __NR_epoll_pwait2
    NSJ_SYSCALL(epoll_pwait2)
#else
    NSJ_UNIFIED(epoll_pwait2, 441)
#endif
#ifdef __NR_mount_setattr
    NSJ_SYSCALL(mount_setattr)
#else
    NSJ_UNIFIED(mount_setattr, 442)
#endif
#ifdef __NR_quotactl_fd
    NSJ_SYSCALL(quotactl_fd)
#else
    NSJ_UNIFIED(quotactl_fd, 443)
#endif
#ifdef __NR_landlock_create_ruleset
    NSJ_SYSCALL(landlock_create_ruleset)
#else
    NSJ_UNIFIED(landlock_create_ruleset, 444)
#endif
#ifdef __NR_landlock_add_rule
    NSJ_SYSCALL(landlock_add_rule)
#else
    NSJ_UNIFIED(landlock_add_rule, 445)
#endif
#ifdef __NR_landlock_restrict_self
    NSJ_SYSCALL(landlock_restrict_self)
#else
    NSJ_UNIFIED(landlock_restrict_self, 446)
#endif
#ifdef __NR_memfd_secret
    NSJ_SYSCALL(memfd_secret)
#else
    NSJ_UNIFIED(memfd_secret, 447)
#endif
#ifdef __NR_process_mrelease
    NSJ_SYSCALL(process_mrelease)
#else
    NSJ_UNIFIED(process_mrelease, 448)
#endif
#ifdef __NR_futex_waitv
    NSJ_SYSCALL(futex_waitv)
#else
    NSJ_UNIFIED(futex_waitv, 449)
#endif
#ifdef __NR_set_mempolicy_home_node
    NSJ_SYSCALL(set_mempolicy_home_node)
#else
    NSJ_UNIFIED(set_mempolicy_home_node, 450)
#endif
#ifdef __NR_cachestat
    NSJ_SYSCALL(cachestat)
#else
    NSJ_UNIFIED(cachestat, 451)
#endif
#ifdef __NR_fchmodat2
    NSJ_SYSCALL(fchmodat2)
#else
    NSJ_UNIFIED(fchmodat2, 452)
#endif
#ifdef __NR_map_shadow_stack
    NSJ_SYSCALL(map_shadow_stack)
#else
    NSJ_UNIFIED(map_shadow_stack, 453)
#endif
#ifdef __NR_futex_wake
    NSJ_SYSCALL(futex_wake)
#else
    NSJ_UNIFIED(futex_wake, 454)
#endif
#ifdef __NR_futex_wait
    NSJ_SYSCALL(futex_wait)
#else
    NSJ_UNIFIED(futex_wait, 455)
#endif
#ifdef __NR_futex_requeue
    NSJ_SYSCALL(futex_requeue)
#else
    NSJ_UNIFIED(futex_requeue, 456)
#endif
#ifdef __NR_statmount
    NSJ_SYSCALL(statmount)
#else
    NSJ_UNIFIED(statmount, 457)
#endif
#ifdef __NR_listmount
    NSJ_SYSCALL(listmount)
#else
    NSJ_UNIFIED(listmount, 458)
#endif
#ifdef __NR_lsm_get_self_attr
    NSJ_SYSCALL(lsm_get_self_attr)
#else
    NSJ_UNIFIED(lsm_get_self_attr, 459)
#endif
#ifdef __NR_lsm_set_self_attr
    NSJ_SYSCALL(lsm_set_self_attr)
#else
    NSJ_UNIFIED(lsm_set_self_attr, 460)
#endif
#ifdef __NR_lsm_list_modules
    NSJ_SYSCALL(lsm_list_modules)
#else
    NSJ_UNIFIED(lsm_list_modules, 461)
#endif
#ifdef __NR_mseal
    NSJ_SYSCALL(mseal)
#else
    NSJ_UNIFIED(mseal, 462)
#endif
#ifdef __NR_setxattrat
    NSJ_SYSCALL(setxattrat)
#else
    NSJ_UNIFIED(setxattrat, 463)
#endif
#ifdef __NR_getxattrat
    NSJ_SYSCALL(getxattrat)
#else
    NSJ_UNIFIED(getxattrat, 464)
#endif
#ifdef __NR_listxattrat
    NSJ_SYSCALL(listxattrat)
#else
    NSJ_UNIFIED(listxattrat, 465)
#endif
#ifdef __NR_removexattrat
    NSJ_SYSCALL(removexattrat)
#else
    NSJ_UNIFIED(removexattrat, 466)
#endif
#ifdef __NR_open_tree_attr
    NSJ_SYSCALL(open_tree_attr)
#else
    NSJ_UNIFIED(open_tree_attr, 467)
#endif
#ifdef __NR_file_getattr
    NSJ_SYSCALL(file_getattr)
#else
    NSJ_UNIFIED(file_getattr, 468)
#endif
#ifdef __NR_file_setattr
    NSJ_SYSCALL(file_setattr)
#else
    NSJ_UNIFIED(file_setattr, 469)
#endif
#ifdef __NR_listns
    NSJ_SYSCALL(listns)
#else
    NSJ_UNIFIED(listns, 470)
#endif
#endif

// x86_64 calls newer than the Linux 6.1 headers, below the unified range.
#if defined(__x86_64__) && !defined(__ILP32__)
#ifdef __NR_uretprobe
    NSJ_SYSCALL(uretprobe)
#else
    NSJ_UNIFIED(uretprobe, 335)
#endif
#ifdef __NR_uprobe
    NSJ_SYSCALL(uprobe)
#else
    NSJ_UNIFIED(uprobe, 336)
#endif
#endif
};

#undef NSJ_SYSCALL
#undef NSJ_UNIFIED

}  // namespace

const char* syscall_arch_name() {
#if defined(__x86_64__) && !defined(__ILP32__)
  return "x86_64";
#elif defined(__aarch64__)
  return "aarch64";
#else
  return "this architecture";
#endif
}

int syscall_number(const std::string& name) {
  // Built once, on first use (thread-safe static initialisation).
  static const std::unordered_map<std::string, int> by_name = [] {
    std::unordered_map<std::string, int> m;
    for (const auto& e : kTable) m.emplace(e.name, e.nr);
    return m;
  }();
  auto it = by_name.find(name);
  return it == by_name.end() ? -1 : it->second;
}

std::vector<SyscallEntry> syscall_table() {
  std::vector<SyscallEntry> all(std::begin(kTable), std::end(kTable));
  std::sort(all.begin(), all.end(),
            [](const SyscallEntry& a, const SyscallEntry& b) { return std::strcmp(a.name, b.name) < 0; });
  return all;
}

}  // namespace nsj

/** The CLI's help, written like a man page. */
export const USAGE = `Usage:
  nsjail-ts run [OPTION...] -- COMMAND [ARG...]
  nsjail-ts doctor [--json]
  nsjail-ts --help | --version

Run COMMAND in a fresh Linux sandbox: its own user, pid, mount, uts, ipc, net, cgroup (and
time) namespaces, root inside and nobody outside, the host's / read-only, private /proc,
/dev, /tmp and /run, no network but loopback, no capabilities, a seccomp filter, your
credentials hidden. COMMAND is looked up in the sandbox's PATH. Its stdin, stdout and
stderr are yours; its exit status is nsjail-ts's. Host paths (SRC, DIR, UPPER) may be
relative to the current directory; paths inside the sandbox (DEST, PATH) are absolute.

Filesystem:
  --rootfs DIR              pivot_root into DIR instead of the host's / (read-only view)
  --ro-rootfs               mount DIR read-only
  --bind SRC DEST           bind host SRC at DEST, writable (nosuid, nodev)
  --ro-bind SRC DEST        bind host SRC at DEST, read-only
  --tmpfs DEST[:SIZE]       a private tmpfs at DEST (SIZE: 65536, 64M, 1G)
  --proc DEST               another procfs at DEST (masked like /proc)
  --overlay SRC DEST        host SRC at DEST, writable, every change in a private layer
                            that is thrown away at the end (copy-on-write)
  --overlay-upper SRC UPPER DEST
                            the same, the changes kept in host directory UPPER
  --writable-root           the host's / writable, every change thrown away (as root)
  --file SRC DEST           put a copy of host file SRC at DEST before COMMAND starts
                            (owned by the sandbox's user; DEST need not exist)
  --output PATH DIR         once COMMAND has ended, copy PATH (a file, or a folder's
                            contents) out of the sandbox into host directory DIR
  --tmp-size SIZE           size of the private /tmp (default 256M)
  --run-size SIZE           size of the private /run (default 16M)
  --shm-size SIZE           size of /dev/shm (default 64M)
  --hide PATH               cover host PATH with an empty read-only mount
  --show-credentials        do not hide ~/.ssh, ~/.aws, ~/.npmrc, ... (hidden by default)

Process:
  --chdir DIR               working directory inside (default /)
  --setenv VAR VALUE        set VAR (the environment starts minimal: PATH, HOME, TERM)
  --unsetenv VAR            unset VAR
  --inherit-env             start from your environment instead
  --uid N, --gid N          user inside (default 0: root inside, nobody outside)
  -t, --tty                 give COMMAND a pty (when stdin is a terminal)
  --no-init                 COMMAND is PID 1 (default: a tiny init reaps and forwards signals)

Isolation:
  --hostname NAME           hostname inside (default sandbox)
  --network MODE            none (lo down), loopback (default), or host (no net namespace)
  --no-namespace TYPE       do not create TYPE (user, pid, mount, uts, ipc, net, cgroup, time)
  --join TYPE:PATH          join the namespace at PATH (e.g. net:/proc/1234/ns/net)
  --cap-add CAP             keep capability CAP (e.g. NET_BIND_SERVICE); default none
  --seccomp POLICY          default, none, or a JSON SeccompPolicy file

Limits:
  --time MS                 kill everything after MS milliseconds of wall time
  --cpu-time MS             kill everything once it has used MS milliseconds of CPU
  --memory SIZE             memory limit of the whole sandbox; past it, the OOM killer
                            ends it
  --memory-swap SIZE        swap it may use besides (none unless given)
  --pids N                  process (and thread) limit of the whole sandbox
  --cpus N                  CPU bandwidth, e.g. 0.5 for half a core
  --cgroup-parent DIR[,DIR] where the sandbox's cgroups go: a delegated cgroup (one per
                            hierarchy); default $NSJAIL_TS_CGROUP_PARENT, else your own
  --best-effort             run with the limits that can be enforced here, and name the
                            others, instead of failing
  --rlimit NAME=VALUE       nofile, nproc, as, cpu, fsize, core, stack (VALUE or unlimited)

  --time, --cpu-time and --memory end the sandbox with SIGKILL (exit status 137) and
  say which ended it; --memory, --memory-swap, --pids, --cpus and --cpu-time need cgroups
  (as root, or delegated: see doctor).

Exit status:
  COMMAND's own; 128+N if it was killed by signal N; 125 if nsjail-ts itself failed
  (bad options, a sandbox that could not be set up, an --output that could not be
  copied after COMMAND succeeded); 126 if COMMAND cannot be executed; 127 if COMMAND
  was not found.

doctor checks what nsjail-ts needs here (user namespaces, AppArmor, newuidmap and
subordinate ids, cgroups and their delegation, seccomp, overlayfs and idmapped mounts,
container engines), says what it found and how to fix what is missing; --json for
machines. Its exit status is 0 when a sandbox can run here, 1 otherwise.

NSJAIL_TS_DEBUG=1 prints what each stage of the sandbox does.
`;

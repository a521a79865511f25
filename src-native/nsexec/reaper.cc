#include "reaper.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "../common/fd_passing.h"
#include "../common/syscalls.h"
#include "../runtime/channel.h"
#include "../runtime/fail.h"
#include "../runtime/identity.h"
#include "../agent/frames.h"
#include "../agent/server.h"
#include "../common/fd_layout.h"
#include "../setup/caps.h"
#include "main_process.h"

namespace nsj {

namespace {

constexpr int kCapKill = 5;
constexpr int kCapDacReadSearch = 2;  // to read a run's outputs, whoever made them

// Keeps only the fds the reaper uses; the container's stdio is not held open by us.
void close_all_but(std::vector<int> keep) {
  std::sort(keep.begin(), keep.end());
  unsigned next = 0;
  for (int fd : keep) {
    if (fd < 0) continue;
    if (static_cast<unsigned>(fd) > next) sys::close_range(next, static_cast<unsigned>(fd) - 1, 0);
    next = static_cast<unsigned>(fd) + 1;
  }
  sys::close_range(next, ~0U, 0);
}

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

// What the reaper needs of the bootstrap is its log level and the outputs; the rest
// (argv, environment, mounts, the seccomp program) is released so an idle container
// costs little memory.
void shed_bootstrap(Ctx& ctx) {
  proto::Bootstrap light;
  light.log_level = ctx.boot.log_level;
  light.flags = ctx.boot.flags;
  light.outputs = std::move(ctx.boot.outputs);
  std::swap(ctx.boot, light);
}

// The main process's status, and what it and every descendant reaped so far used:
// the addon's stats when the container has no cgroup to ask.
void send_exit(Ctx& ctx, int status) {
  proto::Report r;
  r.type = proto::MSG_EXIT;
  r.stage = proto::STAGE_INIT;
  r.status = static_cast<uint32_t>(status);
  struct rusage ru;
  if (::getrusage(RUSAGE_CHILDREN, &ru) == 0) r.usage = usage_of(ru);
  send_report(ctx, r);
}

// A run's outputs: the reaper is still in the container's mount namespace when the main
// process ends, so they go out at once, before its status (agent/server.h), on the
// outputs socket it keeps as its stdout. A caller gone away is not an error here.
void send_outputs(Ctx& ctx, int root) {
  if (ctx.boot.outputs.empty()) return;
  Status st = agent::send_outputs(agent::Root{root, Owner{0, 0}}, ctx.boot.outputs);
  if (!st.ok()) debug(ctx, "outputs: %s failed (errno %d)", st.syscall, st.err);
  ::close(agent::kOut);
}

}  // namespace

void run_reaper(Ctx& ctx, const std::string& program) {
  // Block everything before the fork, so no signal meant for the main process is lost
  // in between; the main process unblocks at exec, the reaper reads them from a signalfd.
  sigset_t all;
  sigfillset(&all);
  ::sigprocmask(SIG_BLOCK, &all, nullptr);
  // The start barrier's gate: a socket, so that a pooled container's start spec (an fd)
  // can go through it.
  int gate[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, gate) < 0) die(ctx, "socketpair", errno, "", "the start gate");
  pid_t main_pid = ::fork();
  if (main_pid < 0) die(ctx, "fork", errno, "", "main process");
  if (main_pid == 0) {
    ::close(gate[1]);
    ctx.kill_on_fail[0] = ctx.kill_on_fail[1] = 0;
    send_hello(ctx, proto::STAGE_MAIN);
    // A session of its own for a terminal (its controlling tty); credentials re-arm the
    // parent-death signal: our parent is the reaper now.
    if ((ctx.boot.flags & proto::BF_TERMINAL) && ::setsid() < 0) die(ctx, "setsid", errno, "", "main process");
    become_main(ctx, program, gate[0]);
  }
  ::close(gate[0]);
  ctx.kill_on_fail[0] = main_pid;

  // Only CAP_KILL survives (the main process may run as another uid), and no_new_privs;
  // with outputs to send, CAP_DAC_READ_SEARCH too.
  bool outputs = !ctx.boot.outputs.empty();
  uint64_t keep = (1ull << kCapKill) | (outputs ? 1ull << kCapDacReadSearch : 0);
  check(ctx, set_dumpable(false));
  check(ctx, drop_bounding_set(keep));
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die(ctx, "prctl", errno, "", "PR_SET_NO_NEW_PRIVS");
  check(ctx, set_capabilities(keep, false));
  Fd root(outputs ? ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC) : -1);
  if (outputs && !root) die(ctx, "open", errno, "/", "the root, for the outputs");
  close_all_but({ctx.init_fd, gate[1], outputs ? kOutputsFd : -1, root.get()});
  if (outputs && (::dup2(kOutputsFd, agent::kOut) < 0 || ::close(kOutputsFd) < 0)) die(ctx, "dup2", errno, "", "the outputs socket");
  shed_bootstrap(ctx);
  int gate_fd = gate[1];

  sigset_t watched;
  sigfillset(&watched);
  int sfd = ::signalfd(-1, &watched, SFD_CLOEXEC);
  if (sfd < 0) die(ctx, "signalfd", errno, "");
  bool pid1 = ::getpid() == 1;
  if (!pid1 && ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) die(ctx, "prctl", errno, "", "PR_SET_CHILD_SUBREAPER");

  bool main_alive = true;
  for (;;) {
    struct pollfd fds[2] = {{sfd, POLLIN, 0}, {ctx.init_fd, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      die(ctx, "poll", errno, "");
    }
    if (fds[0].revents & POLLIN) {
      struct signalfd_siginfo si;
      if (::read(sfd, &si, sizeof si) == sizeof si) {
        if (si.ssi_signo != SIGCHLD) {
          if (main_alive) ::kill(main_pid, static_cast<int>(si.ssi_signo));
        } else {
          int status;
          pid_t pid;
          while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
            if (pid != main_pid) continue;  // an orphan: reaped, nothing more
            main_alive = false;
            trace(ctx, "main process reaped");
            send_outputs(ctx, root.get());
            send_exit(ctx, status);
            ::_exit(exit_code(status));
          }
        }
      }
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      proto::Report cmd;
      Fd spec;
      if (!read_command(ctx, &cmd, &spec)) ::_exit(1);  // the addon is gone; so are we
      if (cmd.type == proto::CMD_START && gate_fd >= 0) {
        int fd = spec.get();
        (void)send_with_fds(gate_fd, "S", 1, &fd, spec ? 1 : 0, 0);
        ::close(gate_fd);
        gate_fd = -1;
      } else if (cmd.type == proto::CMD_SIGNAL) {
        int sig = static_cast<int>(cmd.signal);
        // As PID 1, kill(-1) reaches every process of the namespace but us.
        if (cmd.scope == proto::SCOPE_ALL && pid1)
          ::kill(-1, sig);
        else if (main_alive)
          ::kill(main_pid, sig);
      }
    }
  }
}

}  // namespace nsj

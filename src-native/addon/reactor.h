// One reactor per Node environment: a native thread that epolls every init socket,
// every pidfd of a process we own, and every wall-time timer, and posts what happens to
// JS through a thread-safe function. It never calls waitpid(-1) (that would steal the
// exits of Node's own children) and JS never blocks on it.
#pragma once
#include <napi.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <set>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../common/clock.h"
#include "../common/fd.h"
#include "../protocol/report.h"
#include "../common/usage.h"
#include "cgroup_watch.h"
#include "closer.h"
#include "datagram.h"
#include "spawn.h"
#include "zygote.h"

namespace nsj {

// What the reactor tells JS. Kinds mirror the report types plus process exits.
struct ReactorEvent {
  enum Kind { Hello, Pids, Error, Ready, Exit, Log, Reaped, Timeout, ProtocolError, Pty, Spawned, SpawnFailed, Released, Nsfds, Limit, Closed } kind;
  uint32_t handle = 0;
  uint32_t stage = 0;
  // When the reactor saw it; Spawned: also when it began the spawn (for a profile).
  uint64_t at_us = monotonic_us();
  uint64_t began_us = 0;
  int pid = 0, pid_first = 0;
  int code = -1, signal = 0;  // Exit, Reaped
  bool has_usage = false;     // Exit (the reaper's word), Reaped (waitid's)
  Usage usage;
  std::vector<std::pair<std::string, std::string>> cgroup_files;  // Reaped init: its cgroups' statistics files
  bool cgroup_removed = false;                                     // Released: its cgroups were removed, but
  std::vector<std::string> cgroup_left;                            // these (busy)
  uint32_t err_no = 0;
  std::string syscall, path, message;  // Limit: message is the reason ("cpu-time", "oom")
  // Pty: the master, owned by whoever receives the event (closed if never delivered).
  // Nsfds: ns_types names the namespaces the reactor now holds, in order; fds are JS's
  // own copies of them (file access goes on after the init has gone, until destroy()),
  // or with scope NSFDS_LAYERS the overlays' upper layers, which only JS holds.
  std::vector<int> fds;
  std::string ns_types;
  uint32_t scope = 0;  // Nsfds: a proto::NsfdsScope
  void close_fds() {
    for (int fd : fds) ::close(fd);
    fds.clear();
  }
};

class Reactor {
 public:
  Reactor(Napi::Env env, Napi::Function callback);
  ~Reactor();

  // Queues the spawn of a stage 0 on the reactor thread (posix_spawn waits for the child's
  // exec, which under load can take milliseconds: never on the JS thread). `transfer`
  // are fds of the request that the reactor closes once the child has its copies.
  // Returns the handle events will carry; then Spawned {pid} or SpawnFailed.
  // `join`, if not 0, is the handle of a container whose namespace fds the new stage 0
  // gets as held fds (in the order of its 'nsfds' event); if that container is gone the
  // spawn fails with ESRCH.
  // `cgroup`: the container's cgroup files the reactor holds (kill, CPU time, OOM).
  uint32_t spawn(SpawnRequest&& req, std::vector<int> transfer, uint32_t join = 0, CgroupPaths cgroup = {});
  // JS thread: whether a live instance keeps Node's event loop alive (every one does
  // until it is released; a pooled container waiting to be handed out does not).
  void set_ref(uint32_t handle, bool on);
  // Queues an encoded command for the instance's init socket (sent in order, after the
  // spawn), with `fd` attached if it is open (then closed once sent).
  void send(uint32_t handle, std::vector<uint8_t> msg, Fd fd = Fd());
  // Every call from JS but signal() only queues a command (under a lock held for nanoseconds):
  // the JS thread never waits for the reactor thread, which may be descheduled while busy.
  // Signals one process of the instance (a proto::Stage) through its pidfd.
  // Returns 0, ESRCH if that process is gone or unknown, or an errno.
  int signal(uint32_t handle, uint32_t stage, int sig);
  // SIGKILLs every process of the instance and, with a cgroup, writes its cgroup.kill.
  // Like signal(), done at once. Returns 0, or ESRCH if the instance is unknown.
  int kill(uint32_t handle);
  // Arms a wall-time limit: when it fires the reactor SIGKILLs every process of the
  // instance itself, then reports Timeout. ms == 0 disarms. Queued. `at_ready`: the
  // clock starts when the instance reports ready (a run released at once: the limit is
  // the program's, setup does not count).
  void set_timer(uint32_t handle, uint64_t ms, bool at_ready = false);
  // JS is done with the instance: whatever still runs is killed and reaped quietly; once
  // every fd of it is closed, a last event says Released.
  void release(uint32_t handle);
  // Closes fds of JS's on the closer's thread, then says Closed with `token`. Closing the
  // last fd of a mount namespace unmounts the whole container's tree (libuv's fs.close may
  // do it inline through io_uring, on the JS thread), and it must not hold the reactor up.
  void close_fds(uint32_t token, std::vector<int> fds);
  // Environment teardown: kill and reap everything, stop the thread.
  void shutdown();

 private:
  struct Proc {
    pid_t pid = 0;
    Fd pidfd;
    bool reaped = false;
  };
  // A start the zygote took: what it needs to be made again if the zygote dies before
  // forking it, kept until stage 0's hello (then its fds are closed).
  struct PendingSpawn {
    SpawnRequest req;
    std::vector<int> transfer;  // closed once stage 0 has its copies
    std::vector<Fd> held;       // copies of a joined container's namespace fds
    uint64_t began_us = 0;
    uint64_t sent_us = 0;  // the last time it was handed to a zygote
    int attempts = 1;
    bool failed = false;  // the zygote reported why it could not fork it
    ~PendingSpawn() {
      for (int fd : transfer) ::close(fd);
    }
  };
  struct Instance {
    uint32_t handle = 0;
    Fd sock;
    Proc procs[4];  // by proto::Stage: parent, child, init, main (main is signalled, not waited)
    Fd timer;
    bool released = false;
    bool sock_open = false;  // once spawned
    bool spawning = true;
    bool killed = false;  // kill_all ran: stages are killed as they become known
    bool leaf = false;    // its stage 0 clones no stage (SpawnRequest::leaf)
    std::unique_ptr<PendingSpawn> pending;  // forked by the zygote, no hello yet
    // The container's namespaces, from its stage 2 (MSG_NSFDS), in ns_types order:
    // what exec (and containers that join this one) join through.
    std::vector<Fd> ns_fds;
    std::vector<Fd> locked_fds;  // its nested user and mount namespaces (setup/mount_lock.h), after ns_fds
    uint64_t timer_at_ready = 0;  // a wall-time limit (ms) to arm when it reports ready
    bool ready = false;
    std::unique_ptr<CgroupWatch> cgroup;  // a container with cgroup limits
    bool limit_hit = false;               // a cgroup limit ended it (reported once)
  };
  enum Tag : uint64_t { kSock = 0, kPidfdBase = 1, kTimer = 5, kWake = 6, kCpuTimer = 7, kOom = 8, kZygote = 9 };

  struct Command {
    enum Kind { Spawn, Send, Timer, Release } kind = Send;
    uint32_t handle = 0;
    SpawnRequest req;             // Spawn
    std::vector<int> transfer;    // Spawn: closed after the spawn
    uint32_t join = 0;            // Spawn: whose namespaces to hold
    CgroupPaths cgroup;           // Spawn: the container's cgroup files
    std::vector<uint8_t> msg;     // Send
    Fd fd;                        // Send: passed along (a pooled container's start spec)
    uint64_t ms = 0;              // Timer
    bool at_ready = false;        // Timer
  };
  void queue(Command&& cmd);
  void apply_timer(uint32_t handle, uint64_t ms, std::vector<ReactorEvent>* out);
  void apply_release(uint32_t handle, std::vector<ReactorEvent>* out);
  void forget(std::map<uint32_t, std::unique_ptr<Instance>>::iterator it, std::vector<ReactorEvent>* out);

  void keep_alive(napi_env env, bool on);
  void loop();
  void run_commands(std::vector<ReactorEvent>* out);
  void finish_spawn(uint32_t handle, const Status& st, SpawnResult&& res, std::unique_ptr<CgroupWatch> cgroup,
                    std::unique_ptr<PendingSpawn> pending, std::vector<ReactorEvent>* out);
  bool attach_stage0(Instance& in, SpawnResult&& res, std::vector<ReactorEvent>* out);
  void adopt_cgroup(Instance& in, std::unique_ptr<CgroupWatch> cg, std::vector<ReactorEvent>* out);
  void on_cgroup(Instance& in, uint64_t tag, std::vector<ReactorEvent>* out);
  void on_socket(Instance& in, std::vector<ReactorEvent>* out);
  void on_report(Instance& in, const proto::Report& r, Datagram& d, ReactorEvent* ev, std::vector<ReactorEvent>* out);
  void on_ready(Instance& in, ReactorEvent* ev, std::vector<ReactorEvent>* out);
  void on_exit_report(Instance& in, const proto::Report& r, pid_t sender, ReactorEvent* ev);
  void on_namespaces(Instance& in, const proto::Report& r, Datagram& d, ReactorEvent* ev);
  void on_pidfd(Instance& in, uint32_t stage, std::vector<ReactorEvent>* out);
  void on_timer(Instance& in, std::vector<ReactorEvent>* out);
  void track(Instance& in, uint32_t stage, pid_t pid, std::vector<ReactorEvent>* out);
  void spawned_by_zygote(Instance& in, std::vector<ReactorEvent>* out);
  void on_child(Instance& in, const proto::Report& r, pid_t sender, ReactorEvent* ev, std::vector<ReactorEvent>* out);
  void respawn(Instance& in, std::vector<ReactorEvent>* out);
  void watch_new_zygote();
  int zygote_watchdog();
  Status hold_namespaces(uint32_t handle, std::vector<Fd>* out);
  // Whether a report came from the instance's stage 2 (the init), by its SCM_CREDENTIALS pid.
  static bool from_stage2(const Instance& in, pid_t sender) {
    return sender > 0 && in.procs[proto::STAGE_INIT].pid == sender;
  }
  int watch(int fd, uint32_t handle, uint64_t tag);  // 0 or the errno of epoll_ctl
  void fail_instance(Instance& in, int err, const char* syscall, const std::string& what, std::vector<ReactorEvent>* out);
  void unwatch(int fd);
  void kill_all(Instance& in);
  void drop_namespaces(Instance& in);
  bool finished(const Instance& in) const;
  void post(std::vector<ReactorEvent>& events);

  static void call_js(napi_env env, napi_value fn, void* context, void* data);
  napi_threadsafe_function tsfn_ = nullptr;
  Fd epoll_, wake_;
  std::mutex mu_;
  std::map<uint32_t, std::unique_ptr<Instance>> instances_;
  uint32_t next_handle_ = 1;
  size_t live_ = 0;  // JS thread only: instances JS has not released keep the event loop alive
  std::set<uint32_t> unrefd_;  // JS thread only: live instances that do not (set_ref)
  std::atomic<bool> stopping_{false};
  std::mutex cmd_mu_;               // guards only commands_
  std::vector<Command> commands_;
  Zygote zygote_;  // reactor thread only (and shutdown, once it has stopped)
  Closer closer_;  // namespace fds, JS's and the reactor's own, closed off this thread
  std::thread thread_;
  Napi::Env env_;
};

}  // namespace nsj

#include "reactor.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "../common/fd_passing.h"
#include "../common/syscalls.h"
#include "../protocol/report.h"

namespace nsj {

pid_t parent_of(pid_t pid);

namespace {

uint64_t key(uint32_t handle, uint64_t tag) { return (static_cast<uint64_t>(handle) << 8) | tag; }


void to_status(int wait_status, ReactorEvent* ev) {
  if (WIFEXITED(wait_status)) {
    ev->code = WEXITSTATUS(wait_status);
  } else if (WIFSIGNALED(wait_status)) {
    ev->signal = WTERMSIG(wait_status);
  }
}

// Raw N-API on purpose: while a worker terminates, every N-API call fails, and
// node-addon-api's wrappers would then try to create an Error object, which is fatal.
// Here a failure just means the event is dropped (and a passed fd closed).
bool deliver(napi_env env, napi_value fn, const ReactorEvent& ev) {
  static const char* kinds[] = {"hello",   "pids",          "error", "ready",   "exit",        "log",      "reaped",
                                "timeout", "protocolError", "pty",   "spawned", "spawnFailed", "released", "nsfds",
                                "limit",   "closed"};
  napi_value o, v;
  if (napi_create_object(env, &o) != napi_ok) return false;
  auto put = [&](const char* key, napi_status made) { return made == napi_ok && napi_set_named_property(env, o, key, v) == napi_ok; };
  auto num = [&](const char* key, double d) { return put(key, napi_create_double(env, d, &v)); };
  auto str = [&](const char* key, const std::string& t) { return put(key, napi_create_string_utf8(env, t.data(), t.size(), &v)); };
  bool ok = num("handle", ev.handle) && str("type", kinds[ev.kind]) && str("stage", proto::stage_name(ev.stage));
  if (ok) ok = num("at", static_cast<double>(ev.at_us) / 1000);
  if (ok && ev.began_us) ok = num("began", static_cast<double>(ev.began_us) / 1000);
  if (ok && ev.pid) ok = num("pid", ev.pid);
  if (ok && ev.pid_first) ok = num("pidFirst", ev.pid_first);
  if (ok && (ev.kind == ReactorEvent::Exit || ev.kind == ReactorEvent::Reaped)) {
    ok = (ev.code >= 0 ? num("code", ev.code) : put("code", napi_get_null(env, &v))) && num("signal", ev.signal);
  }
  if (ok && ev.has_usage)
    ok = num("userUs", static_cast<double>(ev.usage.utime_us)) && num("systemUs", static_cast<double>(ev.usage.stime_us)) &&
         num("maxRssKb", static_cast<double>(ev.usage.maxrss_kb));
  if (ok && ev.kind == ReactorEvent::Limit) ok = str("reason", ev.message);
  if (ok && !ev.cgroup_files.empty()) {
    napi_value files;
    ok = napi_create_object(env, &files) == napi_ok;
    for (const auto& [path, text] : ev.cgroup_files)
      ok = ok && napi_create_string_utf8(env, text.data(), text.size(), &v) == napi_ok && napi_set_named_property(env, files, path.c_str(), v) == napi_ok;
    v = files;
    ok = ok && put("cgroupFiles", napi_ok);
  }
  if (ok && ev.cgroup_removed) {
    napi_value left;
    ok = napi_create_array_with_length(env, ev.cgroup_left.size(), &left) == napi_ok;
    for (size_t i = 0; ok && i < ev.cgroup_left.size(); i++)
      ok = napi_create_string_utf8(env, ev.cgroup_left[i].data(), ev.cgroup_left[i].size(), &v) == napi_ok &&
           napi_set_element(env, left, static_cast<uint32_t>(i), v) == napi_ok;
    v = left;
    ok = ok && put("cgroupDirsLeft", napi_ok);
  }
  if (ok && (ev.kind == ReactorEvent::Error || ev.kind == ReactorEvent::ProtocolError || ev.kind == ReactorEvent::SpawnFailed))
    ok = num("errno", ev.err_no);
  if (ok && !ev.syscall.empty()) ok = str("syscall", ev.syscall);
  if (ok && !ev.path.empty()) ok = str("path", ev.path);
  if (ok && !ev.message.empty()) ok = str("message", ev.message);
  if (ok && ev.kind == ReactorEvent::Pty && ev.fds.size() == 1) ok = num("fd", ev.fds[0]);
  if (ok && ev.kind == ReactorEvent::Nsfds) {
    ok = str("types", ev.ns_types) && put("locked", napi_get_boolean(env, ev.scope == proto::NSFDS_LOCKED, &v)) &&
         num("scope", ev.scope);
    napi_value fds;
    ok = ok && napi_create_array_with_length(env, ev.fds.size(), &fds) == napi_ok;
    for (size_t i = 0; ok && i < ev.fds.size(); i++)
      ok = napi_create_int32(env, ev.fds[i], &v) == napi_ok && napi_set_element(env, fds, static_cast<uint32_t>(i), v) == napi_ok;
    ok = ok && napi_set_named_property(env, o, "fds", fds) == napi_ok;
  }
  napi_value undefined, result;
  if (!ok || napi_get_undefined(env, &undefined) != napi_ok) return false;
  napi_status st = napi_call_function(env, undefined, fn, 1, &o, &result);
  if (st == napi_pending_exception) {
    // No JS frame called us: the handler's error goes to 'uncaughtException'.
    napi_value err;
    if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
  }
  return st == napi_ok || ev.fds.empty();  // the fds are JS's once the handler ran
}

}  // namespace

Reactor::Reactor(Napi::Env env, Napi::Function callback)
    : closer_([this](uint32_t token) {
        std::vector<ReactorEvent> events(1, ReactorEvent{ReactorEvent::Closed});
        events[0].handle = token;
        post(events);
      }),
      env_(env) {
  epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
  wake_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!epoll_ || !wake_) throw Napi::Error::New(env, std::string("reactor: ") + std::strerror(errno));
  if (int e = watch(wake_.get(), 0, kWake)) throw Napi::Error::New(env, std::string("reactor: epoll_ctl: ") + std::strerror(e));
  napi_value name;
  napi_create_string_utf8(env, "nsjail-ts reactor", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, callback, nullptr, name, 0, 1, nullptr, nullptr, this, call_js, &tsfn_) != napi_ok)
    throw Napi::Error::New(env, "reactor: cannot create its thread-safe function");
  keep_alive(env, false);  // only live containers keep Node running
  thread_ = std::thread([this] { loop(); });
}

Reactor::~Reactor() { shutdown(); }

// Raw N-API (node-addon-api's Ref/Unref throw): while a worker's environment is being
// torn down these fail, and that is fine; nothing is left to keep alive.
void Reactor::keep_alive(napi_env env, bool on) {
  if (on)
    napi_ref_threadsafe_function(env, tsfn_);
  else
    napi_unref_threadsafe_function(env, tsfn_);
}

// On the JS thread, for each event; with env == nullptr when the function is torn down
// with events still queued: then only the event's fd is closed.
void Reactor::call_js(napi_env env, napi_value fn, void* context, void* data) {
  std::unique_ptr<ReactorEvent> ev(static_cast<ReactorEvent*>(data));
  auto* self = static_cast<Reactor*>(context);
  // The last event of an instance lets the loop go.
  if (env && ev->kind == ReactorEvent::Released && !self->unrefd_.erase(ev->handle) && self->live_ > 0 && --self->live_ == 0)
    self->keep_alive(env, false);
  if (env && ev->kind == ReactorEvent::Closed && self->live_ > 0 && --self->live_ == 0) self->keep_alive(env, false);
  bool delivered = env && fn && deliver(env, fn, *ev);
  if (!delivered) ev->close_fds();  // nobody will own them
}

int Reactor::watch(int fd, uint32_t handle, uint64_t tag) {
  struct epoll_event ev;
  std::memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN;
  ev.data.u64 = key(handle, tag);
  return ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) < 0 ? errno : 0;
}

// An fd of an instance that the reactor could not watch would never report a message,
// an exit or a timeout: the instance fails, closed, and JS hears why.
void Reactor::fail_instance(Instance& in, int err, const char* syscall, const std::string& what, std::vector<ReactorEvent>* out) {
  ReactorEvent ev{ReactorEvent::ProtocolError};
  ev.handle = in.handle;
  ev.err_no = static_cast<uint32_t>(err);
  ev.syscall = syscall;
  ev.message = what;
  out->push_back(ev);
  kill_all(in);
}

void Reactor::unwatch(int fd) { ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr); }

void Reactor::queue(Command&& cmd) {
  {
    std::lock_guard<std::mutex> lock(cmd_mu_);
    commands_.push_back(std::move(cmd));
  }
  uint64_t one = 1;
  (void)!::write(wake_.get(), &one, sizeof one);
}

uint32_t Reactor::spawn(SpawnRequest&& req, std::vector<int> transfer, uint32_t join, CgroupPaths cgroup) {
  Command cmd;
  cmd.kind = Command::Spawn;
  cmd.join = join;
  cmd.cgroup = std::move(cgroup);
  cmd.handle = next_handle_++;
  if (next_handle_ > 0xFFFFFF) next_handle_ = 1;  // 24 bits in the epoll key
  cmd.req = std::move(req);
  cmd.transfer = std::move(transfer);
  uint32_t h = cmd.handle;
  if (live_++ == 0) keep_alive(env_, true);
  queue(std::move(cmd));
  return h;
}

void Reactor::close_fds(uint32_t token, std::vector<int> fds) {
  // Node stays up until Closed has been delivered.
  if (live_++ == 0) keep_alive(env_, true);
  closer_.close(token, std::move(fds));
}

void Reactor::set_ref(uint32_t handle, bool on) {
  bool off_now = unrefd_.count(handle) > 0;
  if (on == !off_now) return;
  if (on) {
    unrefd_.erase(handle);
    if (live_++ == 0) keep_alive(env_, true);
  } else {
    unrefd_.insert(handle);
    if (live_ > 0 && --live_ == 0) keep_alive(env_, false);
  }
}

void Reactor::send(uint32_t handle, std::vector<uint8_t> msg, Fd fd) {
  Command cmd;
  cmd.kind = Command::Send;
  cmd.handle = handle;
  cmd.msg = std::move(msg);
  cmd.fd = std::move(fd);
  queue(std::move(cmd));
}

void Reactor::set_timer(uint32_t handle, uint64_t ms, bool at_ready) {
  Command cmd;
  cmd.kind = Command::Timer;
  cmd.handle = handle;
  cmd.ms = ms;
  cmd.at_ready = at_ready;
  queue(std::move(cmd));
}

void Reactor::release(uint32_t handle) {
  // live_ drops when Released is delivered: until then the loop must stay alive for it.
  Command cmd;
  cmd.kind = Command::Release;
  cmd.handle = handle;
  queue(std::move(cmd));
}

// On the reactor thread, without mu_ held: posix_spawn can take milliseconds under load,
// and JS calls into the reactor must not wait for it.
// One spawn per turn of the loop: the events of running instances must not wait behind
// a queue of spawns (and then reach JS in one burst).
void Reactor::run_commands(std::vector<ReactorEvent>* out) {
  std::vector<Command> cmds;
  {
    std::lock_guard<std::mutex> lock(cmd_mu_);
    size_t take = 0;
    while (take < commands_.size() && commands_[take].kind != Command::Spawn) take++;
    if (take < commands_.size()) take++;  // and the first spawn
    cmds.assign(std::make_move_iterator(commands_.begin()), std::make_move_iterator(commands_.begin() + static_cast<long>(take)));
    commands_.erase(commands_.begin(), commands_.begin() + static_cast<long>(take));
    if (!commands_.empty()) {
      uint64_t one = 1;
      (void)!::write(wake_.get(), &one, sizeof one);  // the rest on the next turn
    }
  }
  for (auto& cmd : cmds) {
    if (cmd.kind == Command::Timer) {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = instances_.find(cmd.handle);
      if (cmd.at_ready && it != instances_.end() && !it->second->ready)
        it->second->timer_at_ready = cmd.ms;
      else
        apply_timer(cmd.handle, cmd.ms, out);
      continue;
    }
    if (cmd.kind == Command::Release) {
      std::lock_guard<std::mutex> lock(mu_);
      apply_release(cmd.handle, out);
      continue;
    }
    if (cmd.kind == Command::Send) {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = instances_.find(cmd.handle);
      if (it == instances_.end() || !it->second->sock_open) continue;  // gone: nobody to tell
      int fd = cmd.fd.get();
      send_with_fds(it->second->sock.get(), cmd.msg.data(), cmd.msg.size(), &fd, cmd.fd ? 1 : 0, MSG_DONTWAIT);
      continue;
    }
    const uint64_t began = monotonic_us();
    std::vector<Fd> held;  // copies of the joined container's namespace fds, for this spawn
    Status st;
    {
      // The instance exists from here on; commands queued after this spawn find it.
      std::lock_guard<std::mutex> lock(mu_);
      auto in = std::make_unique<Instance>();
      in->handle = cmd.handle;
      in->leaf = cmd.req.leaf;
      instances_[cmd.handle] = std::move(in);
      if (cmd.join) st = hold_namespaces(cmd.join, &held);
    }
    for (const Fd& fd : held) cmd.req.held_fds.push_back(fd.get());
    SpawnResult res;
    // Opened before stage 0 exists: its limits hold from the container's first process on.
    auto cgroup = cmd.cgroup.empty() ? nullptr : std::make_unique<CgroupWatch>();
    if (st.ok() && cgroup) st = cgroup->open(cmd.cgroup);
    if (st.ok() && stopping_) st = fail("posix_spawn", ECANCELED, "", "the environment is shutting down");
    if (st.ok()) st = spawn_stage0(cmd.req, &zygote_, &res);
    watch_new_zygote();
    std::unique_ptr<PendingSpawn> pending;
    if (st.ok() && res.pid == 0) {
      // The zygote forks it: until it says hello, keep what a second try would need.
      pending = std::make_unique<PendingSpawn>();
      pending->req = std::move(cmd.req);
      pending->transfer = std::move(cmd.transfer);
      pending->held = std::move(held);
      pending->began_us = pending->sent_us = began;
    }
    for (int fd : cmd.transfer) ::close(fd);  // the child has its copies now (or never will)
    std::lock_guard<std::mutex> lock(mu_);
    size_t before = out->size();
    finish_spawn(cmd.handle, st, std::move(res), std::move(cgroup), std::move(pending), out);
    if (out->size() > before) out->back().began_us = began;
  }
}

// Under mu_: copies of the namespace fds of a running container, or ESRCH once it has
// stopped (its init reaped, or released by JS).
Status Reactor::hold_namespaces(uint32_t handle, std::vector<Fd>* out) {
  auto it = instances_.find(handle);
  const Instance* in = it == instances_.end() ? nullptr : it->second.get();
  if (!in || in->released || in->ns_fds.empty() || in->procs[proto::STAGE_INIT].reaped)
    return fail("setns", ESRCH, "", "the container has stopped");
  std::vector<const Fd*> all;
  for (const Fd& fd : in->ns_fds) all.push_back(&fd);
  for (const Fd& fd : in->locked_fds) all.push_back(&fd);
  for (const Fd* fdp : all) {
    const Fd& fd = *fdp;
    Fd copy(::fcntl(fd.get(), F_DUPFD_CLOEXEC, 0));
    if (!copy) return fail("fcntl", errno, "", "a copy of a namespace fd");
    out->push_back(std::move(copy));
  }
  return ok();
}

// Under mu_: the instance gets its stage 0, or learns that there is none.
void Reactor::finish_spawn(uint32_t handle, const Status& st, SpawnResult&& res, std::unique_ptr<CgroupWatch> cgroup,
                           std::unique_ptr<PendingSpawn> pending, std::vector<ReactorEvent>* out) {
  auto it = instances_.find(handle);
  if (it == instances_.end()) {
    // Only shutdown() removes a spawning instance: kill and reap the orphan here. (One
    // the zygote forks finds its init socket closed, and the zygote is killed too.)
    if (cgroup) cgroup->kill();
    if (st.ok() && res.pidfd) {
      sys::pidfd_send_signal(res.pidfd.get(), SIGKILL);
      siginfo_t info;
      ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(res.pidfd.get()), &info, WEXITED);
    }
    return;
  }
  Instance& in = *it->second;
  in.spawning = false;
  if (!st.ok()) {
    if (in.released) {
      forget(it, out);
      return;
    }
    ReactorEvent ev{ReactorEvent::SpawnFailed};
    ev.handle = handle;
    ev.err_no = static_cast<uint32_t>(st.err);
    ev.syscall = st.syscall;
    ev.path = st.path;
    ev.message = st.what;
    out->push_back(ev);
    return;
  }
  if (!attach_stage0(in, std::move(res), out)) {
    if (cgroup) cgroup->kill();
    return;
  }
  if (cgroup) adopt_cgroup(in, std::move(cgroup), out);
  in.pending = std::move(pending);  // Spawned comes with stage 0's hello
  if (in.released) {
    kill_all(in);
    return;
  }
  if (in.pending) return;
  ReactorEvent ev{ReactorEvent::Spawned};
  ev.handle = handle;
  ev.pid = in.procs[proto::STAGE_PARENT].pid;
  out->push_back(ev);
}

// Under mu_: the init socket, and stage 0's pidfd when we spawned it ourselves (from the
// zygote, it comes with its hello). False if they cannot be watched (the instance failed).
bool Reactor::attach_stage0(Instance& in, SpawnResult&& res, std::vector<ReactorEvent>* out) {
  in.sock = std::move(res.sock);
  in.sock_open = true;
  int e = watch(in.sock.get(), in.handle, kSock);
  if (!e && res.pidfd) {
    Proc& p = in.procs[proto::STAGE_PARENT];
    p.pid = res.pid;
    p.pidfd = std::move(res.pidfd);
    e = watch(p.pidfd.get(), in.handle, kPidfdBase + proto::STAGE_PARENT);
  }
  if (e) fail_instance(in, e, "epoll_ctl", "cannot watch the new instance", out);
  return e == 0;
}

// Under mu_: a stage names the stage it just cloned (protocol/report.h, MSG_CHILD). Only
// its maker's word counts (the zygote for stage 0, stage 0 for stage 1, stage 1 for stage
// 2), and only for a child of ours: nothing else can make us hold, or kill, a process.
void Reactor::on_child(Instance& in, const proto::Report& r, pid_t sender, ReactorEvent* ev, std::vector<ReactorEvent>* out) {
  pid_t pid = static_cast<pid_t>(r.pid);
  pid_t maker = r.stage == proto::STAGE_PARENT ? zygote_.pid()
                : r.stage == proto::STAGE_CHILD ? in.procs[proto::STAGE_PARENT].pid
                : r.stage == proto::STAGE_INIT  ? in.procs[proto::STAGE_CHILD].pid
                                                : 0;
  // Its own hello may have come first (the maker was slower to speak), and it may even be
  // gone already: then there is nothing to learn. A claim we cannot check is not an error
  // either (the zygote that made it may have been replaced since): it is just not believed.
  if (pid > 0 && r.stage <= proto::STAGE_MAIN && in.procs[r.stage].pid == pid) {
    ev->kind = ReactorEvent::Log;
    ev->message = "stage " + std::to_string(pid) + " already known";
    return;
  }
  if (maker <= 0 || sender != maker || pid <= 0 || parent_of(pid) != ::getpid()) {
    ev->kind = ReactorEvent::Log;
    ev->message = "a child named by a process that did not make it, or not ours: ignored";
    return;
  }
  ev->kind = ReactorEvent::Hello;  // as good as its own hello
  ev->pid = pid;
  track(in, r.stage, pid, out);
  if (r.stage == proto::STAGE_PARENT && in.pending) spawned_by_zygote(in, out);
}

// Under mu_: stage 0 from the zygote has said hello (and is tracked): the start is done.
void Reactor::spawned_by_zygote(Instance& in, std::vector<ReactorEvent>* out) {
  ReactorEvent ev{ReactorEvent::Spawned};
  ev.handle = in.handle;
  ev.pid = in.procs[proto::STAGE_PARENT].pid;
  ev.began_us = in.pending->began_us;
  in.pending.reset();  // closes our copies of its fds
  out->push_back(ev);
}

// Under mu_: the init socket closed before stage 0 said hello. The zygote died before it
// forked (a start is never lost to that: it is made again, by a new zygote or by
// posix_spawn), or it said why it could not fork.
void Reactor::respawn(Instance& in, std::vector<ReactorEvent>* out) {
  std::unique_ptr<PendingSpawn> p = std::move(in.pending);
  unwatch(in.sock.get());
  in.sock.reset();
  in.sock_open = false;
  Status st = fail("clone", ECHILD, "", "stage 0 did not start: the zygote died");
  if (!p->failed && !in.released) {
    SpawnResult res;
    // Three zygotes lost it: posix_spawn, which never comes back here.
    st = spawn_stage0(p->req, p->attempts < 3 ? &zygote_ : nullptr, &res);
    watch_new_zygote();
    if (st.ok()) {
      bool from_zygote = res.pid == 0;
      if (!attach_stage0(in, std::move(res), out)) return;
      if (from_zygote) {
        p->attempts++;
        p->sent_us = monotonic_us();
        in.pending = std::move(p);
        return;
      }
      ReactorEvent ev{ReactorEvent::Spawned};
      ev.handle = in.handle;
      ev.pid = in.procs[proto::STAGE_PARENT].pid;
      ev.began_us = p->began_us;
      out->push_back(ev);
      return;
    }
  }
  if (in.released) return;
  ReactorEvent ev{ReactorEvent::SpawnFailed};
  ev.handle = in.handle;
  ev.err_no = static_cast<uint32_t>(st.err);
  ev.syscall = st.syscall;
  ev.path = st.path;
  ev.message = st.what;
  out->push_back(ev);
}

// Under mu_: a zygote that takes no request (stopped, stuck) must not hold starts up. One
// with a start unanswered for 2 s is killed; what it had queued is then made again
// (respawn). Returns how long epoll may wait before the next look.
int Reactor::zygote_watchdog() {
  const uint64_t now = monotonic_us();
  bool any = false;
  for (auto& [h, in] : instances_) {
    if (!in->pending) continue;
    any = true;
    if (now - in->pending->sent_us > 2000000 && zygote_.pid()) zygote_.stop();
  }
  return any ? 250 : -1;
}

// Its pidfd is how we notice a zygote has died, to reap it.
void Reactor::watch_new_zygote() {
  int fd = zygote_.take_new_pidfd();
  if (fd >= 0) watch(fd, 0, kZygote);
}

// Under mu_: the container's cgroup limits, watched from now on. One that cannot be watched
// fails the container: a limit must never go unenforced.
void Reactor::adopt_cgroup(Instance& in, std::unique_ptr<CgroupWatch> cg, std::vector<ReactorEvent>* out) {
  in.cgroup = std::move(cg);
  int e = 0;
  if (in.cgroup->cpu_timer() >= 0) e = watch(in.cgroup->cpu_timer(), in.handle, kCpuTimer);
  if (!e && in.cgroup->oom_event() >= 0) e = watch(in.cgroup->oom_event(), in.handle, kOom);
  if (e) fail_instance(in, e, "epoll_ctl", "cannot watch the container's cgroup limits", out);
}

// A cgroup limit fired: CPU time spent, or out of memory. The whole container ends here,
// natively, and JS hears why once.
void Reactor::on_cgroup(Instance& in, uint64_t tag, std::vector<ReactorEvent>* out) {
  bool hit = tag == kCpuTimer ? in.cgroup->cpu_spent() : in.cgroup->out_of_memory();
  if (!hit) return;
  kill_all(in);
  if (in.limit_hit) return;
  in.limit_hit = true;
  ReactorEvent ev{ReactorEvent::Limit};
  ev.handle = in.handle;
  ev.message = tag == kCpuTimer ? "cpu-time" : "oom";
  out->push_back(ev);
}

int Reactor::kill(uint32_t handle) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = instances_.find(handle);
  if (it == instances_.end()) return ESRCH;
  kill_all(*it->second);
  return 0;
}

int Reactor::signal(uint32_t handle, uint32_t stage, int sig) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = instances_.find(handle);
  if (it == instances_.end() || stage > proto::STAGE_MAIN) return ESRCH;
  Proc& p = it->second->procs[stage];
  if (!p.pidfd || p.reaped) return ESRCH;
  return sys::pidfd_send_signal(p.pidfd.get(), sig) < 0 ? errno : 0;
}

// Under mu_.
void Reactor::apply_timer(uint32_t handle, uint64_t ms, std::vector<ReactorEvent>* out) {
  auto it = instances_.find(handle);
  if (it == instances_.end()) return;
  Instance& in = *it->second;
  if (!in.timer) {
    // A limit that cannot be armed fails the container: it must never run unbounded.
    in.timer.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
    int e = in.timer ? watch(in.timer.get(), handle, kTimer) : errno;
    if (e) {
      in.timer.reset();
      fail_instance(in, e, "timerfd_create", "cannot arm the wall-time limit", out);
      return;
    }
  }
  struct itimerspec its;
  std::memset(&its, 0, sizeof its);
  its.it_value.tv_sec = static_cast<time_t>(ms / 1000);
  its.it_value.tv_nsec = static_cast<long>((ms % 1000) * 1000000);
  ::timerfd_settime(in.timer.get(), 0, &its, nullptr);
}

// A stage is killed only once the stage it makes is known (MSG_CHILD): killed between its
// clone and its word, the new stage would die unknown, a zombie of ours for ever. A stage 0
// that makes none (the file agent: Instance::leaf) is killed at once. Stages
// 0 and 1 run only our code and end on their own once their children are gone; whatever
// is left is killed as it becomes known (track). Likewise cgroup.kill, which would take
// stage 1 along, waits for the init: nothing of the program can run before it exists.
void Reactor::kill_all(Instance& in) {
  in.killed = true;
  const bool init_known = in.procs[proto::STAGE_INIT].pid > 0;
  // cgroup.kill first: a fork bomb in it cannot outrun it.
  if (in.cgroup && init_known) in.cgroup->kill();
  for (uint32_t s = proto::STAGE_PARENT; s <= proto::STAGE_MAIN; s++) {
    Proc& p = in.procs[s];
    bool maker_done = s >= proto::STAGE_INIT || in.procs[s + 1].pid > 0 || (s == proto::STAGE_PARENT && in.leaf);
    if (p.pidfd && !p.reaped && maker_done) sys::pidfd_send_signal(p.pidfd.get(), SIGKILL);
  }
}

// Nothing of the instance can run or appear any more: every process we know of is reaped,
// and the init socket is at EOF (every stage holds it until it exits).
bool Reactor::finished(const Instance& in) const {
  if (in.spawning || in.sock_open) return false;
  for (uint32_t s = proto::STAGE_PARENT; s <= proto::STAGE_INIT; s++)
    if (in.procs[s].pidfd && !in.procs[s].reaped) return false;
  return true;
}

// Under mu_.
void Reactor::apply_release(uint32_t handle, std::vector<ReactorEvent>* out) {
  auto it = instances_.find(handle);
  if (it == instances_.end() || it->second->released) return;
  Instance& in = *it->second;
  in.released = true;
  // The init socket stays open until EOF: every stage holds it until it exits, so EOF is
  // the proof that none is left that might still announce itself.
  if (in.timer) {
    unwatch(in.timer.get());
    in.timer.reset();
  }
  if (finished(in)) {
    forget(it, out);
    return;
  }
  // Still running: kill it; the thread reaps it and then forgets it.
  kill_all(in);
}

// Under mu_: closes everything of a released, finished instance and tells JS so
// (Released), so that "destroyed" means no fd of it is left.
void Reactor::forget(std::map<uint32_t, std::unique_ptr<Instance>>::iterator it, std::vector<ReactorEvent>* out) {
  for (Proc& p : it->second->procs)
    if (p.pidfd && !p.reaped) unwatch(p.pidfd.get());
  ReactorEvent ev{ReactorEvent::Released};
  ev.handle = it->first;
  // Every process it had is reaped: its cgroups can go now, with no round trip through JS.
  const auto& cg = it->second->cgroup;
  if (cg && cg->has_dirs()) {
    ev.cgroup_removed = true;
    ev.cgroup_left = cg->remove_dirs();
  }
  drop_namespaces(*it->second);
  instances_.erase(it);  // closes its socket, timer and pidfds
  out->push_back(ev);
}

// Our copies of its namespaces go to the closer: whichever goes last of ours and JS's
// tears its mounts down, which must not hold this thread up.
void Reactor::drop_namespaces(Instance& in) {
  std::vector<int> ns;
  for (auto* v : {&in.ns_fds, &in.locked_fds}) {
    for (Fd& f : *v) ns.push_back(f.release());
    v->clear();
  }
  if (!ns.empty()) closer_.close(0, std::move(ns));
}

// The parent of pid, from /proc/<pid>/stat (readable without ptrace rights).
pid_t parent_of(pid_t pid) {
  char path[64], buf[512];
  std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
  Fd f(::open(path, O_RDONLY | O_CLOEXEC));
  if (!f) return -1;
  ssize_t n = ::read(f.get(), buf, sizeof buf - 1);
  if (n <= 0) return -1;
  buf[n] = 0;
  const char* close_paren = std::strrchr(buf, ')');  // comm may contain spaces and parens
  int ppid = -1;
  if (!close_paren || std::sscanf(close_paren + 1, " %*c %d", &ppid) != 1) return -1;
  return ppid;
}

void Reactor::track(Instance& in, uint32_t stage, pid_t pid, std::vector<ReactorEvent>* out) {
  if (stage > proto::STAGE_MAIN || pid <= 0) return;
  Proc& p = in.procs[stage];
  if (p.pidfd) return;
  p.pid = pid;
  p.pidfd.reset(sys::pidfd_open(pid, 0));
  if (stage == proto::STAGE_MAIN) {
    // The main process under init is the reaper's child, not ours: it may have exited
    // and been reaped already (a fast /bin/true), which is not an error.
    // A pid freed and reused in between would have another parent than the reaper.
    const Proc& init = in.procs[proto::STAGE_INIT];
    if (p.pidfd && !(init.pid > 0 && parent_of(pid) == init.pid)) p.pidfd.reset();
    if (!p.pidfd) p.reaped = true;
    return;
  }
  if (!p.pidfd) {
    ReactorEvent ev{ReactorEvent::ProtocolError};
    ev.handle = in.handle;
    ev.stage = stage;
    ev.err_no = static_cast<uint32_t>(errno);
    ev.syscall = "pidfd_open";
    ev.message = "cannot track stage process " + std::to_string(pid);
    out->push_back(ev);
    return;
  }
  if (int e = watch(p.pidfd.get(), in.handle, kPidfdBase + stage)) {
    fail_instance(in, e, "epoll_ctl", "cannot watch stage process " + std::to_string(pid), out);
    return;
  }
  if (in.released || in.killed) kill_all(in);  // what was killed before it was known
}

void Reactor::on_socket(Instance& in, std::vector<ReactorEvent>* out) {
  Datagram d;
  for (;;) {
    int got = receive_datagram(in.sock.get(), &d);
    if (got == 0) return;
    if (got < 0) {
      // Every stage and the main process have closed it (exec'd or exited).
      if (in.pending) return respawn(in, out);
      unwatch(in.sock.get());
      in.sock_open = false;
      return;
    }
    proto::Report r;
    std::string err;
    ReactorEvent ev{ReactorEvent::ProtocolError};
    ev.handle = in.handle;
    ev.err_no = EPROTO;
    if (d.truncated || !proto::decode_report(d.buf, d.len, &r, &err)) {
      ev.message = d.truncated ? "oversized report" : err;
      out->push_back(ev);
      continue;
    }
    ev.stage = r.stage;
    ev.pid = d.sender;
    on_report(in, r, d, &ev, out);
    out->push_back(ev);
  }
}

// One decoded report: `ev` starts as a protocol error and becomes the event it reports.
void Reactor::on_report(Instance& in, const proto::Report& r, Datagram& d, ReactorEvent* ev, std::vector<ReactorEvent>* out) {
  switch (r.type) {
    case proto::MSG_HELLO:
      ev->kind = ReactorEvent::Hello;
      track(in, r.stage, d.sender, out);
      if (r.stage == proto::STAGE_PARENT && in.pending) spawned_by_zygote(in, out);
      return;
    case proto::MSG_PIDS:
      if (proto::parse_pids(r.json, &ev->pid, &ev->pid_first))
        ev->kind = ReactorEvent::Pids;
      else
        ev->message = "malformed pid relay: " + r.json;
      return;
    case proto::MSG_CHILD:
      on_child(in, r, d.sender, ev, out);
      return;
    case proto::MSG_ERROR:
      if (in.pending) in.pending->failed = true;  // from the zygote: no stage 0 to wait for
      ev->kind = ReactorEvent::Error;
      ev->err_no = r.err_no;
      ev->syscall = r.syscall;
      ev->path = r.path;
      ev->message = r.message;
      return;
    case proto::MSG_READY: on_ready(in, ev, out); return;
    case proto::MSG_EXIT: on_exit_report(in, r, d.sender, ev); return;
    case proto::MSG_NSFDS: on_namespaces(in, r, d, ev); return;
    case proto::MSG_LOG:
      ev->kind = ReactorEvent::Log;
      ev->message = r.message;
      return;
    case proto::MSG_PTY:
      if (d.fds.size() == 1) {
        ev->kind = ReactorEvent::Pty;
        ev->fds.push_back(d.fds[0].release());
      } else {
        ev->message = "terminal report without exactly one fd";
      }
      return;
    default: ev->message = "unexpected message type " + std::to_string(r.type);
  }
}

void Reactor::on_ready(Instance& in, ReactorEvent* ev, std::vector<ReactorEvent>* out) {
  ev->kind = ReactorEvent::Ready;
  if (in.ready) return;
  in.ready = true;
  if (in.timer_at_ready) apply_timer(in.handle, in.timer_at_ready, out);  // a run: the program's clock starts now
}

// The main process's status is the reaper's word alone (stage 2, whose pid we learnt
// from its hello before anything in the container ran).
void Reactor::on_exit_report(Instance& in, const proto::Report& r, pid_t sender, ReactorEvent* ev) {
  if (!from_stage2(in, sender)) {
    ev->message = "exit status from pid " + std::to_string(sender) + ", not the container's init: ignored";
    return;
  }
  ev->kind = ReactorEvent::Exit;
  to_status(static_cast<int>(r.status), ev);
  ev->has_usage = true;
  ev->usage = r.usage;
}

// Held here, not in JS: an exec that races destroy() then finds them gone (ESRCH), never
// a closed or recycled fd number. JS gets copies for file access, which goes on after the
// init has gone (until destroy()); the overlays' upper layers are JS's alone.
void Reactor::on_namespaces(Instance& in, const proto::Report& r, Datagram& d, ReactorEvent* ev) {
  bool layers = r.scope == proto::NSFDS_LAYERS;
  std::vector<Fd>& held = r.scope == proto::NSFDS_LOCKED ? in.locked_fds : in.ns_fds;
  if (!from_stage2(in, d.sender) || d.fds.empty() || (!layers && !held.empty())) {
    ev->message = "namespace handles not from the container's init, or none, or twice: ignored";
    return;
  }
  ev->kind = ReactorEvent::Nsfds;
  ev->ns_types = r.ns_types;
  ev->scope = r.scope;
  for (Fd& fd : d.fds) ev->fds.push_back(layers ? fd.release() : ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 0));
  if (!layers) held = std::move(d.fds);
  d.fds.clear();
}

void Reactor::on_pidfd(Instance& in, uint32_t stage, std::vector<ReactorEvent>* out) {
  Proc& p = in.procs[stage];
  if (!p.pidfd || p.reaped) return;
  // What the process sent before it exited is queued already: report that first.
  if (in.sock_open) on_socket(in, out);
  siginfo_t info;
  std::memset(&info, 0, sizeof info);
  struct rusage ru;
  std::memset(&ru, 0, sizeof ru);
  // With its rusage: what the stage and every descendant it reaped used (init: false, the
  // main process and its children; a killed reaper, everything its pid namespace held).
  if (sys::waitid_rusage(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(p.pidfd.get()), &info, WEXITED | WNOHANG, &ru) < 0 ||
      info.si_pid == 0)
    return;
  p.reaped = true;
  unwatch(p.pidfd.get());
  if (stage == proto::STAGE_INIT) drop_namespaces(in);  // the container has stopped: nothing to join
  ReactorEvent ev{ReactorEvent::Reaped};
  ev.handle = in.handle;
  ev.stage = stage;
  ev.pid = p.pid;
  ev.has_usage = true;
  ev.usage = usage_of(ru);
  // Its pid namespace is empty now: what its cgroups counted is final.
  if (stage == proto::STAGE_INIT && in.cgroup) ev.cgroup_files = in.cgroup->read_stats();
  if (info.si_code == CLD_EXITED)
    ev.code = info.si_status;
  else
    ev.signal = info.si_status;
  out->push_back(ev);
}

void Reactor::on_timer(Instance& in, std::vector<ReactorEvent>* out) {
  uint64_t expirations;
  if (::read(in.timer.get(), &expirations, sizeof expirations) != sizeof expirations) return;
  // Killed here, not in JS: the limit holds even while the event loop is busy.
  kill_all(in);
  ReactorEvent ev{ReactorEvent::Timeout};
  ev.handle = in.handle;
  out->push_back(ev);
}

void Reactor::loop() {
  std::vector<ReactorEvent> events;
  struct epoll_event evs[64];
  int timeout = -1;
  for (;;) {
    int n = ::epoll_wait(epoll_.get(), evs, 64, timeout);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    bool have_commands = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (int i = 0; i < n; i++) {
        uint64_t k = evs[i].data.u64;
        uint64_t tag = k & 0xFF;
        if (tag == kWake) {
          uint64_t v;
          (void)!::read(wake_.get(), &v, sizeof v);
          if (stopping_.load()) return;
          have_commands = true;
          continue;
        }
        if (tag == kZygote) {
          zygote_.on_pidfd();
          continue;
        }
        auto it = instances_.find(static_cast<uint32_t>(k >> 8));
        if (it == instances_.end()) continue;
        Instance& in = *it->second;
        size_t before = events.size();
        if (tag == kSock && in.sock_open)
          on_socket(in, &events);
        else if (tag >= kPidfdBase && tag < kPidfdBase + 3)
          on_pidfd(in, static_cast<uint32_t>(tag - kPidfdBase), &events);
        else if (tag == kTimer && in.timer)
          on_timer(in, &events);
        else if ((tag == kCpuTimer || tag == kOom) && in.cgroup)
          on_cgroup(in, tag, &events);
        if (in.released) {
          for (size_t e = before; e < events.size(); e++) events[e].close_fds();
          events.resize(before);  // JS no longer listens, but for Released
          if (finished(in)) forget(it, &events);
        }
      }
    }
    if (have_commands) run_commands(&events);
    {
      std::lock_guard<std::mutex> lock(mu_);
      timeout = zygote_watchdog();
    }
    post(events);
  }
}

void Reactor::post(std::vector<ReactorEvent>& events) {
  for (auto& ev : events) {
    auto* copy = new ReactorEvent(std::move(ev));
    if (napi_call_threadsafe_function(tsfn_, copy, napi_tsfn_nonblocking) != napi_ok) {
      copy->close_fds();
      delete copy;
    }
  }
  events.clear();
}

void Reactor::shutdown() {
  if (stopping_.exchange(true)) return;
  uint64_t one = 1;
  (void)!::write(wake_.get(), &one, sizeof one);
  if (thread_.joinable()) thread_.join();
  // The thread is gone: nothing races us from here. Stages that announced themselves
  // but were not yet tracked get their pidfds now, then everything is killed and reaped
  // (SIGKILLed processes take no time to reap), so no zombie is left behind.
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ReactorEvent> ignored;
  for (auto& [h, in] : instances_) {
    in->released = true;  // from now on, whatever announces itself is killed at once
    kill_all(*in);
  }
  // Read every init socket to EOF (bounded): a stage cloned just before its parent was
  // killed announces itself there, and is then killed and reaped below, not left a zombie.
  for (int round = 0; round < 200; round++) {
    std::vector<struct pollfd> pfds;
    for (auto& [h, in] : instances_)
      if (in->sock_open) pfds.push_back({in->sock.get(), POLLIN, 0});
    if (pfds.empty()) break;
    if (::poll(pfds.data(), pfds.size(), 10) < 0 && errno != EINTR) break;
    for (auto& [h, in] : instances_)
      if (in->sock_open) on_socket(*in, &ignored);
  }
  for (auto& ev : ignored) ev.close_fds();
  for (auto& [h, in] : instances_)
    for (uint32_t s = proto::STAGE_PARENT; s <= proto::STAGE_INIT; s++) {
      Proc& p = in->procs[s];
      if (p.pidfd && !p.reaped) {
        siginfo_t info;
        ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(p.pidfd.get()), &info, WEXITED);
        p.reaped = true;
      }
    }
  instances_.clear();
  zygote_.stop();
  closer_.stop();  // before the thread-safe function goes: it tells JS through it
  {
    std::lock_guard<std::mutex> cmd_lock(cmd_mu_);
    for (auto& cmd : commands_)
      for (int fd : cmd.transfer) ::close(fd);
    commands_.clear();
  }
  napi_release_threadsafe_function(tsfn_, napi_tsfn_abort);
}

}  // namespace nsj

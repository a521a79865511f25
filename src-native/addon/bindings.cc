// The addon's JS surface: a few flat functions, typed on the JS side in src-ts/native.ts.
// Policy, validation and streams live in TypeScript; this file only converts arguments.
#include <errno.h>
#include <napi.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "../common/fd_layout.h"
#include "../protocol/bootstrap.h"
#include "../protocol/report.h"
#include "bootstrap_js.h"
#include "memfd.h"
#include "reactor.h"
#include "seccomp_compile.h"
#include "spawn.h"

namespace nsj {

namespace {

Napi::Error system_error(Napi::Env env, int err, const std::string& syscall, const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("syscall", Napi::String::New(env, syscall));
  return e;
}

uint32_t arg_u32(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || !info[i].IsNumber())
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  double d = info[i].As<Napi::Number>().DoubleValue();
  if (d < 0 || d > 4294967295.0) throw Napi::RangeError::New(info.Env(), std::string(name) + " out of range");
  return static_cast<uint32_t>(d);
}

// An optional array of fds (non-negative int32s).
std::vector<int> fd_array(Napi::Env env, const Napi::Value& v, const std::string& name) {
  std::vector<int> out;
  if (v.IsUndefined()) return out;
  if (!v.IsArray()) throw Napi::TypeError::New(env, name + " must be an array");
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value e = a.Get(i);
    if (!e.IsNumber() || e.As<Napi::Number>().Int32Value() < 0)
      throw Napi::TypeError::New(env, name + "[" + std::to_string(i) + "] must be an fd");
    out.push_back(e.As<Napi::Number>().Int32Value());
  }
  return out;
}

std::vector<int> fd_list(const Napi::Object& o, const char* name) { return fd_array(o.Env(), o.Get(name), name); }

// An optional string property ("" when absent).
std::string str_prop(const Napi::Object& o, const char* name) {
  Napi::Value v = o.Get(name);
  if (v.IsUndefined()) return "";
  if (!v.IsString()) throw Napi::TypeError::New(o.Env(), std::string(name) + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

// An optional array of paths.
std::vector<std::string> path_list(const Napi::Object& o, const char* name) {
  std::vector<std::string> out;
  Napi::Value v = o.Get(name);
  if (v.IsUndefined()) return out;
  if (!v.IsArray()) throw Napi::TypeError::New(o.Env(), std::string(name) + " must be an array of paths");
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    if (!a.Get(i).IsString()) throw Napi::TypeError::New(o.Env(), std::string(name) + " must be an array of paths");
    out.push_back(a.Get(i).As<Napi::String>().Utf8Value());
  }
  return out;
}

// spawn's `cgroup`: { killPath, cpuPath, cpuLimitMs, oomControlPath, eventControlPath, statFiles, dirs }.
CgroupPaths cgroup_paths(const Napi::Value& v) {
  CgroupPaths p;
  if (v.IsUndefined()) return p;
  if (!v.IsObject()) throw Napi::TypeError::New(v.Env(), "cgroup must be an object");
  Napi::Object o = v.As<Napi::Object>();
  p.kill = str_prop(o, "killPath");
  p.cpu = str_prop(o, "cpuPath");
  p.oom_control = str_prop(o, "oomControlPath");
  p.event_control = str_prop(o, "eventControlPath");
  p.stats = path_list(o, "statFiles");
  p.dirs = path_list(o, "dirs");
  Napi::Value ms = o.Get("cpuLimitMs");
  if (!ms.IsUndefined()) {
    if (!ms.IsNumber() || ms.As<Napi::Number>().DoubleValue() < 0) throw Napi::TypeError::New(v.Env(), "cpuLimitMs must be a number >= 0");
    p.cpu_limit_ms = static_cast<uint64_t>(ms.As<Napi::Number>().DoubleValue());
  }
  if (p.cpu_limit_ms && p.cpu.empty()) throw Napi::TypeError::New(v.Env(), "cpuLimitMs needs cpuPath");
  if (p.oom_control.empty() != p.event_control.empty()) throw Napi::TypeError::New(v.Env(), "oomControlPath and eventControlPath go together");
  return p;
}

// An optional fd option; -1 when not given.
int optional_fd(const Napi::Object& o, const char* name) {
  Napi::Value v = o.Get(name);
  if (v.IsUndefined()) return -1;
  if (!v.IsNumber() || v.As<Napi::Number>().Int32Value() < 0) throw Napi::TypeError::New(o.Env(), std::string(name) + " must be an fd");
  return v.As<Napi::Number>().Int32Value();
}

std::vector<uint8_t> buffer_arg(const Napi::Value& v, const char* name) {
  if (!v.IsBuffer()) throw Napi::TypeError::New(v.Env(), std::string(name) + " must be a Buffer");
  auto b = v.As<Napi::Buffer<uint8_t>>();
  return std::vector<uint8_t>(b.Data(), b.Data() + b.Length());
}

}  // namespace

class Addon : public Napi::Addon<Addon> {
 public:
  Addon(Napi::Env env, Napi::Object exports) {
    DefineAddon(exports, {
                             InstanceMethod("encodeBootstrap", &Addon::EncodeBootstrap),
                             InstanceMethod("decodeBootstrap", &Addon::DecodeBootstrap),
                             InstanceMethod("decodeReport", &Addon::DecodeReport),
                             InstanceMethod("compileSeccomp", &Addon::CompileSeccomp),
                             InstanceMethod("setEventHandler", &Addon::SetEventHandler),
                             InstanceMethod("spawn", &Addon::Spawn),
                             InstanceMethod("start", &Addon::Start),
                             InstanceMethod("setRef", &Addon::SetRef),
                             InstanceMethod("closeFds", &Addon::CloseFds),
                             InstanceMethod("signalAll", &Addon::SignalAll),
                             InstanceMethod("signal", &Addon::Signal),
                             InstanceMethod("killAll", &Addon::KillAll),
                             InstanceMethod("setWallTime", &Addon::SetWallTime),
                             InstanceMethod("release", &Addon::Release),
                             InstanceMethod("socketpair", &Addon::Socketpair),
                             InstanceMethod("memfdCreate", &Addon::MemfdCreate),
                             InstanceMethod("memfdSeal", &Addon::MemfdSeal),
                             InstanceMethod("close", &Addon::Close),
                             InstanceMethod("resizeTerminal", &Addon::ResizeTerminal),
                             InstanceValue("firstExtraFd", Napi::Number::New(env, kFirstExtraFd)),
                             InstanceValue("constants", protocol_constants(env)),
                         });
  }
  ~Addon() { Teardown(); }

 private:
  static void CleanupHook(void* self) { static_cast<Addon*>(self)->Teardown(); }
  void Teardown() {
    if (reactor_) reactor_->shutdown();
  }

  Reactor& reactor(Napi::Env env) {
    if (!reactor_) throw Napi::Error::New(env, "nsjail-ts: setEventHandler was not called");
    return *reactor_;
  }

  Napi::Value EncodeBootstrap(const Napi::CallbackInfo& info) {
    if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(info.Env(), "spec must be an object");
    proto::Bootstrap b = bootstrap_from_js(info[0].As<Napi::Object>());
    std::vector<uint8_t> out;
    std::string err;
    if (!proto::encode_bootstrap(b, &out, &err)) throw Napi::RangeError::New(info.Env(), "bootstrap refused: " + err);
    return Napi::Buffer<uint8_t>::Copy(info.Env(), out.data(), out.size());
  }

  Napi::Value DecodeBootstrap(const Napi::CallbackInfo& info) {
    std::vector<uint8_t> buf = buffer_arg(info[0], "message");
    proto::Bootstrap b;
    std::string err;
    if (!proto::decode_bootstrap(buf.data(), buf.size(), &b, &err))
      throw Napi::Error::New(info.Env(), "bootstrap rejected: " + err);
    return bootstrap_to_js(info.Env(), b);
  }

  Napi::Value DecodeReport(const Napi::CallbackInfo& info) {
    std::vector<uint8_t> buf = buffer_arg(info[0], "message");
    proto::Report r;
    std::string err;
    if (!proto::decode_report(buf.data(), buf.size(), &r, &err))
      throw Napi::Error::New(info.Env(), "report rejected: " + err);
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("type", r.type);
    o.Set("stage", proto::stage_name(r.stage));
    o.Set("errno", r.err_no);
    o.Set("syscall", r.syscall);
    o.Set("path", r.path);
    o.Set("message", r.message);
    return o;
  }

  Napi::Value CompileSeccomp(const Napi::CallbackInfo& info) {
    if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(info.Env(), "policy must be an object");
    std::vector<uint8_t> prog;
    std::string err;
    if (!compile_seccomp(info[0].As<Napi::Object>(), &prog, &err)) throw Napi::TypeError::New(info.Env(), err);
    return Napi::Buffer<uint8_t>::Copy(info.Env(), prog.data(), prog.size());
  }

  Napi::Value SetEventHandler(const Napi::CallbackInfo& info) {
    if (info.Length() < 1 || !info[0].IsFunction()) throw Napi::TypeError::New(info.Env(), "handler must be a function");
    if (reactor_) throw Napi::Error::New(info.Env(), "event handler already set");
    reactor_ = std::make_unique<Reactor>(info.Env(), info[0].As<Napi::Function>());
    // Registered after the thread-safe function, so it runs before Node tears that down.
    napi_add_env_cleanup_hook(info.Env(), CleanupHook, this);
    return info.Env().Undefined();
  }

  // spawn({ initPath, bootstrap, stdio: [fd|-1 x3], extraFds: [fd...], transfer: [fd...], join?, cgroup? }) -> handle
  // The spawn itself happens on the reactor thread; `transfer` fds are closed there after it.
  Napi::Value Spawn(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "spawn options must be an object");
    Napi::Object o = info[0].As<Napi::Object>();
    SpawnRequest req;
    Napi::Value ip = o.Get("initPath");
    if (!ip.IsString()) throw Napi::TypeError::New(env, "initPath must be a string");
    req.init_path = ip.As<Napi::String>().Utf8Value();
    req.bootstrap = buffer_arg(o.Get("bootstrap"), "bootstrap");
    Napi::Value stdio = o.Get("stdio");
    if (!stdio.IsArray() || stdio.As<Napi::Array>().Length() != 3)
      throw Napi::TypeError::New(env, "stdio must be an array of 3 fds");
    for (uint32_t i = 0; i < 3; i++) {
      Napi::Value v = stdio.As<Napi::Array>().Get(i);
      if (!v.IsNumber()) throw Napi::TypeError::New(env, "stdio entries must be numbers");
      req.stdio[i] = v.As<Napi::Number>().Int32Value();
    }
    req.extra_fds = fd_list(o, "extraFds");
    req.files_fd = optional_fd(o, "filesFd");
    req.outputs_fd = optional_fd(o, "outputsFd");
    req.leaf = o.Get("leaf").ToBoolean();

    std::vector<int> transfer = fd_list(o, "transfer");
    uint32_t join = 0;
    Napi::Value jv = o.Get("join");
    if (!jv.IsUndefined()) {
      if (!jv.IsNumber()) throw Napi::TypeError::New(env, "join must be a handle");
      join = jv.As<Napi::Number>().Uint32Value();
    }
    CgroupPaths cgroup = cgroup_paths(o.Get("cgroup"));
    return Napi::Number::New(env, reactor(env).spawn(std::move(req), std::move(transfer), join, std::move(cgroup)));
  }

  Napi::Value SendReport(const Napi::CallbackInfo& info, const proto::Report& r, Fd fd = Fd()) {
    std::vector<uint8_t> msg;
    std::string err;
    if (!proto::encode_report(r, &msg, &err)) throw Napi::Error::New(info.Env(), err);
    reactor(info.Env()).send(arg_u32(info, 0, "handle"), std::move(msg), std::move(fd));
    return info.Env().Undefined();
  }

  // start(handle, spec?): queued for the reactor thread. `spec` (a pooled container):
  // { args, env, cwd } in the bootstrap's shape, handed over in a sealed memfd.
  Napi::Value Start(const Napi::CallbackInfo& info) {
    proto::Report r;
    r.type = proto::CMD_START;
    Fd spec;
    if (info.Length() > 1 && !info[1].IsUndefined()) {
      if (!info[1].IsObject()) throw Napi::TypeError::New(info.Env(), "start spec must be an object");
      proto::Bootstrap b = bootstrap_from_js(info[1].As<Napi::Object>());
      std::vector<uint8_t> bytes;
      std::string err;
      if (!proto::encode_bootstrap(b, &bytes, &err)) throw Napi::RangeError::New(info.Env(), "start spec refused: " + err);
      Status st = memfd_sealed("nsjail-ts-start", bytes, &spec);
      if (!st.ok()) throw Napi::Error::New(info.Env(), std::string(st.syscall) + ": " + std::strerror(st.err));
    }
    return SendReport(info, r, std::move(spec));
  }

  // closeFds(token, fds): closed on the closer thread, then a 'closed' event with token
  Napi::Value CloseFds(const Napi::CallbackInfo& info) {
    if (info.Length() < 2 || !info[1].IsArray()) throw Napi::TypeError::New(info.Env(), "closeFds(token, fds: number[])");
    reactor(info.Env()).close_fds(arg_u32(info, 0, "token"), fd_array(info.Env(), info[1], "fds"));
    return info.Env().Undefined();
  }

  // setRef(handle, on): whether the instance keeps the event loop alive
  Napi::Value SetRef(const Napi::CallbackInfo& info) {
    if (info.Length() < 2 || !info[1].IsBoolean()) throw Napi::TypeError::New(info.Env(), "setRef(handle, on: boolean)");
    reactor(info.Env()).set_ref(arg_u32(info, 0, "handle"), info[1].As<Napi::Boolean>().Value());
    return info.Env().Undefined();
  }

  // signalAll(handle, signal, scope: 0 main | 1 all): queued; the reaper does it
  Napi::Value SignalAll(const Napi::CallbackInfo& info) {
    proto::Report r;
    r.type = proto::CMD_SIGNAL;
    r.signal = arg_u32(info, 1, "signal");
    r.scope = arg_u32(info, 2, "scope");
    return SendReport(info, r);
  }

  // signal(handle, stage 0..3, signal) -> 0 | errno (through the pidfd)
  Napi::Value Signal(const Napi::CallbackInfo& info) {
    int e = reactor(info.Env()).signal(arg_u32(info, 0, "handle"), arg_u32(info, 1, "stage"),
                                       static_cast<int>(arg_u32(info, 2, "signal")));
    return Napi::Number::New(info.Env(), e);
  }

  // killAll(handle) -> 0 | ESRCH: SIGKILL to every process, and cgroup.kill
  Napi::Value KillAll(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), reactor(info.Env()).kill(arg_u32(info, 0, "handle")));
  }

  Napi::Value SetWallTime(const Napi::CallbackInfo& info) {
    if (info.Length() < 2 || !info[1].IsNumber()) throw Napi::TypeError::New(info.Env(), "ms must be a number");
    double ms = info[1].As<Napi::Number>().DoubleValue();
    if (!(ms >= 0)) throw Napi::RangeError::New(info.Env(), "ms must be >= 0");
    bool at_ready = info.Length() > 2 && info[2].IsBoolean() && info[2].As<Napi::Boolean>().Value();
    reactor(info.Env()).set_timer(arg_u32(info, 0, "handle"), static_cast<uint64_t>(ms), at_ready);
    return info.Env().Undefined();
  }

  Napi::Value Release(const Napi::CallbackInfo& info) {
    reactor(info.Env()).release(arg_u32(info, 0, "handle"));
    return info.Env().Undefined();
  }

  // A close-on-exec AF_UNIX stream pair, as libuv makes for stdio 'pipe'.
  Napi::Value Socketpair(const Napi::CallbackInfo& info) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
      throw system_error(info.Env(), errno, "socketpair", std::string("socketpair: ") + std::strerror(errno));
    Napi::Array a = Napi::Array::New(info.Env(), 2);
    a.Set(0u, sv[0]);
    a.Set(1u, sv[1]);
    return a;
  }

  // memfdCreate(name) -> fd: the fixtures' contents are written to it from JS (threadpool), then sealed.
  Napi::Value MemfdCreate(const Napi::CallbackInfo& info) {
    if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(info.Env(), "name must be a string");
    Fd fd;
    Status st = memfd_new(info[0].As<Napi::String>().Utf8Value().c_str(), &fd);
    if (!st.ok()) throw system_error(info.Env(), st.err, st.syscall, std::string("memfd_create: ") + std::strerror(st.err));
    return Napi::Number::New(info.Env(), fd.release());
  }

  // memfdSeal(fd): nothing can change its contents any more.
  Napi::Value MemfdSeal(const Napi::CallbackInfo& info) {
    Status st = memfd_seal(static_cast<int>(arg_u32(info, 0, "fd")));
    if (!st.ok()) throw system_error(info.Env(), st.err, st.syscall, std::string("seal: ") + std::strerror(st.err));
    return info.Env().Undefined();
  }

  // resizeTerminal(masterFd, cols, rows) -> 0 | errno
  Napi::Value ResizeTerminal(const Napi::CallbackInfo& info) {
    struct winsize ws = {};
    ws.ws_col = static_cast<unsigned short>(arg_u32(info, 1, "cols"));
    ws.ws_row = static_cast<unsigned short>(arg_u32(info, 2, "rows"));
    int r = ::ioctl(static_cast<int>(arg_u32(info, 0, "fd")), TIOCSWINSZ, &ws);
    return Napi::Number::New(info.Env(), r < 0 ? errno : 0);
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    ::close(static_cast<int>(arg_u32(info, 0, "fd")));
    return info.Env().Undefined();
  }

  std::unique_ptr<Reactor> reactor_;
};

}  // namespace nsj

// Not NODE_API_ADDON: when a worker is terminated while it loads us, every N-API call
// fails, and node-addon-api would rethrow that as a C++ exception out of module
// registration (std::terminate). Here it becomes a JS error when JS can still run, and
// nothing otherwise.
NAPI_MODULE_INIT() {
  try {
    return Napi::Addon<nsj::Addon>::Init(Napi::Env(env), Napi::Object(env, exports));
  } catch (const std::exception& e) {
    napi_throw_error(env, "ERR_NSJAIL_TS_INIT", e.what());
    return nullptr;
  }
}

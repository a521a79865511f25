#include "cgroup_watch.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace nsj {

namespace {

constexpr uint64_t kMinPollUs = 2000;

bool ends_with(const std::string& s, const char* tail) {
  size_t n = std::strlen(tail);
  return s.size() >= n && s.compare(s.size() - n, n, tail) == 0;
}

// A cgroup file read whole from its start (seq files regenerate at offset 0).
bool read_text(int fd, char* buf, size_t size) {
  ssize_t n = ::pread(fd, buf, size - 1, 0);
  if (n < 0) return false;
  buf[n] = 0;
  return true;
}

// The value of `key` in a flat-keyed file ("key value\n" lines).
bool keyed(const char* text, const char* key, uint64_t* out) {
  size_t k = std::strlen(key);
  for (const char* line = text; line && *line;) {
    if (std::strncmp(line, key, k) == 0 && line[k] == ' ') {
      *out = std::strtoull(line + k + 1, nullptr, 10);
      return true;
    }
    line = std::strchr(line, '\n');
    if (line) line++;
  }
  return false;
}

}  // namespace

Status CgroupWatch::open(const CgroupPaths& p) {
  if (!p.kill.empty()) {
    kill_.reset(::open(p.kill.c_str(), O_WRONLY | O_CLOEXEC));
    if (!kill_) return fail("open", errno, p.kill, "the container's cgroup.kill");
  }
  if (!p.cpu.empty()) NSJ_TRY(open_cpu(p.cpu, p.cpu_limit_ms));
  if (!p.oom_control.empty()) NSJ_TRY(open_oom(p.oom_control, p.event_control));
  stats_ = p.stats;
  dirs_ = p.dirs;
  return ok();
}

std::vector<std::string> CgroupWatch::remove_dirs() const {
  std::vector<std::string> left;
  for (const std::string& dir : dirs_)
    if (::rmdir(dir.c_str()) < 0 && errno != ENOENT) left.push_back(dir);
  return left;
}

std::vector<std::pair<std::string, std::string>> CgroupWatch::read_stats() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& path : stats_) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    char buf[4096];
    if (fd && read_text(fd.get(), buf, sizeof buf)) out.emplace_back(path, buf);
  }
  return out;
}

void CgroupWatch::kill() const {
  if (kill_) (void)!::pwrite(kill_.get(), "1", 1, 0);
}

Status CgroupWatch::open_cpu(const std::string& path, uint64_t limit_ms) {
  cpu_.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!cpu_) return fail("open", errno, path, "the container's CPU usage");
  cpu_stat_ = ends_with(path, "cpu.stat");
  if (limit_ms == 0) return ok();
  cpu_limit_us_ = limit_ms * 1000;
  cpu_timer_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
  if (!cpu_timer_) return fail("timerfd_create", errno, "", "the CPU time limit");
  uint64_t used = 0;
  if (!usage_us(&used)) return fail("read", errno, path, "the container's CPU usage");
  return arm(used);
}

Status CgroupWatch::open_oom(const std::string& oom_control, const std::string& event_control) {
  oom_control_.reset(::open(oom_control.c_str(), O_RDONLY | O_CLOEXEC));
  if (!oom_control_) return fail("open", errno, oom_control, "the container's OOM notification");
  oom_event_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!oom_event_) return fail("eventfd", errno, "", "the container's OOM notification");
  Fd ctl(::open(event_control.c_str(), O_WRONLY | O_CLOEXEC));
  if (!ctl) return fail("open", errno, event_control, "the container's OOM notification");
  char line[64];
  int n = std::snprintf(line, sizeof line, "%d %d", oom_event_.get(), oom_control_.get());
  if (::write(ctl.get(), line, static_cast<size_t>(n)) != n) return fail("write", errno, event_control, "the container's OOM notification");
  return ok();
}

bool CgroupWatch::usage_us(uint64_t* out) const {
  char buf[1024];
  if (!read_text(cpu_.get(), buf, sizeof buf)) return false;
  if (cpu_stat_) return keyed(buf, "usage_usec", out);
  *out = std::strtoull(buf, nullptr, 10) / 1000;  // cpuacct.usage: nanoseconds
  return true;
}

Status CgroupWatch::arm(uint64_t used_us) {
  // The rest cannot be spent sooner than with every CPU busy.
  static const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);  // read once: it may read a file
  uint64_t rest = cpu_limit_us_ > used_us ? cpu_limit_us_ - used_us : 0;
  uint64_t wait = rest / static_cast<uint64_t>(cpus > 0 ? cpus : 1);
  if (wait < kMinPollUs) wait = kMinPollUs;
  struct itimerspec its;
  std::memset(&its, 0, sizeof its);
  its.it_value.tv_sec = static_cast<time_t>(wait / 1000000);
  its.it_value.tv_nsec = static_cast<long>((wait % 1000000) * 1000);
  if (::timerfd_settime(cpu_timer_.get(), 0, &its, nullptr) < 0) return fail("timerfd_settime", errno, "", "the CPU time limit");
  return ok();
}

bool CgroupWatch::cpu_spent() {
  uint64_t expirations;
  (void)!::read(cpu_timer_.get(), &expirations, sizeof expirations);
  uint64_t used = 0;
  // A usage file that cannot be read any more (the cgroup is going away) spends nothing.
  if (!usage_us(&used)) return false;
  if (used >= cpu_limit_us_) return true;
  return !arm(used).ok();  // a limit that cannot be re-armed must not go unenforced
}

bool CgroupWatch::out_of_memory() {
  uint64_t count;
  (void)!::read(oom_event_.get(), &count, sizeof count);
  char buf[256];
  uint64_t under = 0, killed = 0;
  if (!read_text(oom_control_.get(), buf, sizeof buf)) return false;
  keyed(buf, "under_oom", &under);
  keyed(buf, "oom_kill", &killed);
  return under > 0 || killed > 0;
}

}  // namespace nsj

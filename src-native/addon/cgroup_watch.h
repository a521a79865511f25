// The native half of a container's cgroup limits, held by the reactor so that they hold
// while JavaScript is busy (src-ts/cgroups/ creates the cgroups and decides the paths):
//   - cgroup.kill (v2): ends every process of the container at once, fork bombs included;
//   - the CPU usage file, polled on a timerfd against cpuTimeMs;
//   - v1's OOM notification: an eventfd registered on memory.oom_control through
//     cgroup.event_control (v2 needs none: memory.oom.group makes the kernel end the group);
//   - the statistics files, read when the container's init is reaped (the counters are
//     final then) and handed to JS as text, which src-ts/cgroups/ parses;
//   - the directories, removed once every process of the instance is reaped (JS retries
//     those still busy).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "../common/fd.h"
#include "../common/status.h"

namespace nsj {

struct CgroupPaths {
  std::string kill;           // v2 cgroup.kill
  std::string cpu;            // v2 cpu.stat (usage_usec) or v1 cpuacct.usage (nanoseconds)
  uint64_t cpu_limit_ms = 0;  // with cpu: the container's CPU time budget
  std::string oom_control;    // v1 memory.oom_control
  std::string event_control;  // v1 cgroup.event_control of the same cgroup
  std::vector<std::string> stats;  // read when the init is reaped
  std::vector<std::string> dirs;   // removed when the instance is forgotten
  bool empty() const { return kill.empty() && cpu.empty() && oom_control.empty() && stats.empty() && dirs.empty(); }
};

class CgroupWatch {
 public:
  // On the reactor thread, before stage 0 is spawned: the limits hold from its first step.
  Status open(const CgroupPaths& paths);
  // Writes cgroup.kill, if the container has one.
  void kill() const;
  // Fds for epoll (-1 if none).
  int cpu_timer() const { return cpu_timer_.get(); }
  int oom_event() const { return oom_event_.get(); }
  // The CPU timer fired: true once the budget is spent; otherwise it is armed again for the
  // earliest moment the rest could be spent (every CPU busy).
  bool cpu_spent();
  // The OOM eventfd fired: true when the cgroup is out of memory or has OOM-killed.
  bool out_of_memory();
  // The statistics files and their text (a file that cannot be read is left out).
  std::vector<std::pair<std::string, std::string>> read_stats() const;
  // rmdir of every directory; returns those still there (busy: a process is left in one).
  std::vector<std::string> remove_dirs() const;
  bool has_dirs() const { return !dirs_.empty(); }

 private:
  Status open_cpu(const std::string& path, uint64_t limit_ms);
  Status open_oom(const std::string& oom_control, const std::string& event_control);
  bool usage_us(uint64_t* out) const;
  Status arm(uint64_t used_us);

  Fd kill_, cpu_, cpu_timer_, oom_control_, oom_event_;
  std::vector<std::string> stats_, dirs_;
  bool cpu_stat_ = false;  // v2's keyed cpu.stat, not v1's single counter
  uint64_t cpu_limit_us_ = 0;
};

}  // namespace nsj

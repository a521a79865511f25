// The addon's side of the resident stage 0 (nsexec/zygote.cc). One per reactor, used on
// the reactor thread only; started by the first start, started again by the first start
// after it has died. NSJAIL_TS_ZYGOTE=0 turns it off (every stage 0 is posix_spawned).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "../common/fd.h"
#include "../common/status.h"

namespace nsj {

class Zygote {
 public:
  Zygote();
  ~Zygote() { stop(); }
  Zygote(const Zygote&) = delete;
  Zygote& operator=(const Zygote&) = delete;

  // Hands it one start: `sources` are stage 0's fds in layout order (-1: /dev/null). An
  // error means it could not take it (posix_spawn then); a zygote found dead is replaced
  // and asked once more. Stage 0's pid comes in its hello on the init socket.
  Status request(const std::string& exec_path, const std::vector<int>& sources, size_t extra, size_t held);
  // The pidfd of a zygote started since the last call (for the reactor to watch), or -1.
  int take_new_pidfd();
  // Its pidfd became readable: reap it if it has exited.
  void on_pidfd();
  // Kill and reap it (environment teardown, or a zygote that stopped answering).
  void stop();
  pid_t pid() const { return pid_; }

 private:
  Status start(const std::string& exec_path);
  Status send(const std::vector<int>& sources, size_t extra, size_t held);
  bool enabled_ = true;
  Fd sock_, pidfd_;
  pid_t pid_ = 0;
  int new_pidfd_ = -1;
};

}  // namespace nsj

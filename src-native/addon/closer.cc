#include "closer.h"

#include <unistd.h>

namespace nsj {

void Closer::close(uint32_t token, std::vector<int> fds) {
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_) {
    lock.unlock();
    for (int fd : fds) ::close(fd);
    return;
  }
  queue_.push_back({token, std::move(fds)});
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });  // on first use
  cv_.notify_one();
}

void Closer::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left
    Batch b = std::move(queue_.front());
    queue_.pop_front();
    const bool tell = !stopping_;
    lock.unlock();
    for (int fd : b.fds) ::close(fd);
    if (tell && b.token) done_(b.token);
    lock.lock();
  }
}

void Closer::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  for (Batch& b : queue_)
    for (int fd : b.fds) ::close(fd);
  queue_.clear();
}

}  // namespace nsj

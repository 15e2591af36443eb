// Run clock, prompt abort through an eventfd, interruptible blocking calls, CPU pinning.
#include "sim/real/run_context.hpp"

#include "sim/real/execute.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace gilsim::real {

int available_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  return std::max(1, CPU_COUNT(&set));
}

RunContext::RunContext(RunSettings settings, Clock::time_point origin)
    : settings_(settings), origin_(origin) {
  abort_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (abort_fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
  cpu_set_t all;
  CPU_ZERO(&all);
  CPU_ZERO(&cpus_);
  if (settings_.cores > 0 && sched_getaffinity(0, sizeof(all), &all) == 0 &&
      settings_.cores < CPU_COUNT(&all)) {
    int taken = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && taken < settings_.cores; ++cpu) {
      if (CPU_ISSET(cpu, &all)) {
        CPU_SET(cpu, &cpus_);
        ++taken;
      }
    }
    limit_cpus_ = true;
  }
}

RunContext::~RunContext() {
  if (abort_fd_ >= 0) close(abort_fd_);
}

void RunContext::request_abort() {
  aborted_.store(true);
  const std::uint64_t one = 1;
  [[maybe_unused]] auto written = write(abort_fd_, &one, sizeof(one));
  std::lock_guard lock(wake_mutex_);
  for (auto& [id, wake] : wakes_) wake();
}

AbortHook::AbortHook(RunContext& ctx, std::function<void()> wake) : ctx_(ctx) {
  std::lock_guard lock(ctx_.wake_mutex_);
  id_ = ctx_.next_hook_++;
  ctx_.wakes_.emplace_back(id_, std::move(wake));
}

AbortHook::~AbortHook() {
  std::lock_guard lock(ctx_.wake_mutex_);
  std::erase_if(ctx_.wakes_, [this](const auto& w) { return w.first == id_; });
}

namespace {
timespec to_timespec(Time d) {
  const std::int64_t ns = std::max<std::int64_t>(0, d.ns());
  return timespec{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
}
}  // namespace

bool RunContext::wait_readable(int fd, Time d) const {
  const auto deadline = Clock::now() + std::chrono::nanoseconds(d.ns());
  for (;;) {
    throw_if_aborted();
    pollfd fds[2] = {{abort_fd_, POLLIN, 0}, {fd, POLLIN, 0}};
    const nfds_t count = fd >= 0 ? 2 : 1;
    timespec timeout{};
    const timespec* timeout_ptr = nullptr;
    if (d.ns() >= 0) {
      const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - Clock::now());
      timeout = to_timespec(Time{left.count()});
      timeout_ptr = &timeout;
    }
    const int n = ppoll(fds, count, timeout_ptr, nullptr);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("ppoll: ") + std::strerror(errno));
    }
    throw_if_aborted();
    if (count == 2 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) return true;
    if (n == 0 || (d.ns() >= 0 && Clock::now() >= deadline)) return false;
  }
}

void RunContext::block_for(Time d) const { wait_readable(-1, d); }

void RunContext::pin_current_thread() const {
  if (limit_cpus_) pthread_setaffinity_np(pthread_self(), sizeof(cpus_), &cpus_);
}

}  // namespace gilsim::real

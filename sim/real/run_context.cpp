// Run clock, prompt abort through an eventfd, interruptible blocking calls, CPU pinning.
#include "sim/real/run_context.hpp"

#include "sim/real/execute.hpp"
#include "sim/scenario/pin_fit.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include <fmt/format.h>
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
    : settings_(std::move(settings)), origin_(origin) {
  abort_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (abort_fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
  cpu_set_t all;
  CPU_ZERO(&all);
  CPU_ZERO(&cpus_);
  if (sched_getaffinity(0, sizeof(all), &all) != 0) return;
  const int wanted = settings_.cores > 0 ? std::min(settings_.cores, CPU_COUNT(&all)) : CPU_COUNT(&all);
  for (int cpu = 0; cpu < CPU_SETSIZE && static_cast<int>(run_cpus_.size()) < wanted; ++cpu) {
    if (CPU_ISSET(cpu, &all)) {
      CPU_SET(cpu, &cpus_);
      run_cpus_.push_back(cpu);
    }
  }
  limit_cpus_ = wanted < CPU_COUNT(&all);
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

std::vector<int> RunContext::machine_cpus(std::span<const int> cpus) const {
  std::vector<int> out;
  if (run_cpus_.empty()) return out;
  for (const int cpu : scenario::fit_cpu_list({cpus.begin(), cpus.end()}, static_cast<int>(run_cpus_.size()))) {
    out.push_back(run_cpus_[static_cast<std::size_t>(cpu)]);
  }
  return out;
}

cpu_set_t RunContext::cpu_mask(std::span<const int> cpus) const {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  for (const int cpu : machine_cpus(cpus)) CPU_SET(cpu, &mask);
  return mask;
}

void RunContext::pin_current_thread_to(std::span<const int> cpus) const {
  if (cpus.empty()) return;
  const cpu_set_t mask = cpu_mask(cpus);
  if (CPU_COUNT(&mask) == 0 || sched_setaffinity(0, sizeof(mask), &mask) != 0) {
    const int error = CPU_COUNT(&mask) == 0 ? EINVAL : errno;
    throw std::runtime_error(fmt::format("cannot pin a thread to CPU {} of this machine (the scenario's CPU {}): {}",
                                         fmt::join(machine_cpus(cpus), ", "), fmt::join(cpus, ", "),
                                         std::strerror(error)));
  }
}

}  // namespace gilsim::real

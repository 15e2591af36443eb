// What every thread of one real run shares: the run's clock, the abort switch that ends
// every wait promptly, the busy loop's calibration, and the GIL settings.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include <sched.h>

#include "sim/scenario/effective_settings.hpp"
#include "sim/trace/time.hpp"

namespace gilsim::real {

class RealShared;
class PeerSet;

/// Thrown inside a run's threads when the run is being aborted; caught at their top.
struct RunAborted {};

/// Settings a run's threads (and its worker processes) need, all plain values: the run's
/// effective settings (the model's too), with `cores` fitted to this machine (the CPUs its
/// threads may use), and the busy loop's calibration.
struct RunSettings : scenario::EffectiveSettings {
  double iterations_per_ns = 1.0;
};

class RunContext {
 public:
  using Clock = std::chrono::steady_clock;

  RunContext(RunSettings settings, Clock::time_point origin);
  ~RunContext();
  RunContext(const RunContext&) = delete;
  RunContext& operator=(const RunContext&) = delete;

  const RunSettings& settings() const { return settings_; }
  Clock::time_point origin() const { return origin_; }
  /// Time since the run started.
  Time now() const {
    return Time{std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - origin_).count()};
  }

  bool aborted() const { return aborted_.load(std::memory_order_relaxed); }
  void throw_if_aborted() const {
    if (aborted()) throw RunAborted{};
  }
  /// Ends every wait of the run: sets the flag, wakes pollers and registered waiters.
  void request_abort();

  /// A real blocking system call: ppoll() on the abort descriptor for `d`.
  /// Throws RunAborted when the run is aborted meanwhile.
  void block_for(Time d) const;
  /// ppoll() on `fd` (readable) and the abort descriptor for at most `d` (negative: no limit).
  /// True when `fd` is readable. Throws RunAborted on abort.
  bool wait_readable(int fd, Time d) const;

  /// Keeps the calling thread on the run's first settings().cores CPUs (if limited).
  void pin_current_thread() const;
  /// The mask of the scenario's CPUs `cpus` (docs/model.md S9): its CPU k is the run's k-th
  /// CPU, folded onto the run's CPUs by scenario::fit_cpu when it has fewer.
  cpu_set_t cpu_mask(std::span<const int> cpus) const;
  /// This machine's numbers of the scenario's CPUs `cpus`, for messages.
  std::vector<int> machine_cpus(std::span<const int> cpus) const;
  /// os.sched_setaffinity(0, cpus) for the calling thread, with cpu_mask(cpus). Throws
  /// std::runtime_error naming the CPUs when the kernel refuses.
  void pin_current_thread_to(std::span<const int> cpus) const;

  std::atomic<int>& jobs_done() { return jobs_done_; }

  /// Adds one thread's or worker process's waits for a core (core_waits.hpp); nullopt, a
  /// thread the kernel did not count, leaves the whole run's waits unmeasured.
  void count_waits_for_core(std::optional<Time> waited) {
    if (!waited) waits_unmeasured_.store(true, std::memory_order_relaxed);
    if (waited) waited_for_core_ns_.fetch_add(waited->ns(), std::memory_order_relaxed);
    waits_counted_.fetch_add(1, std::memory_order_relaxed);
  }
  /// The run's waits for a core in all, or nullopt when some thread's were not measured (or none was).
  std::optional<Time> waits_for_core() const {
    if (waits_unmeasured_.load() || waits_counted_.load() == 0) return std::nullopt;
    return Time{waited_for_core_ns_.load()};
  }

  /// The run's locks and counters, when it has any (real_shared.hpp).
  RealShared* shared() const { return shared_; }
  void set_shared(RealShared* shared) { shared_ = shared; }
  /// The peer processes of the jobs' `answer` steps, while a threads run has any (peer_process.hpp).
  PeerSet* peers() const { return peers_; }
  void set_peers(PeerSet* peers) { peers_ = peers; }
  /// Stops the run like request_abort(), but as its planned end (a deadlock found): the
  /// executors hand over what was recorded instead of failing.
  void request_stop() {
    stopped_.store(true);
    request_abort();
  }
  bool stopped() const { return stopped_.load(); }

 private:
  RunSettings settings_;
  Clock::time_point origin_;
  std::atomic<bool> aborted_{false};
  int abort_fd_ = -1;  ///< an eventfd that becomes readable on abort
  friend class AbortHook;
  std::mutex wake_mutex_;
  std::uint64_t next_hook_ = 0;
  std::vector<std::pair<std::uint64_t, std::function<void()>>> wakes_;
  cpu_set_t cpus_{};
  bool limit_cpus_ = false;
  std::vector<int> run_cpus_;  ///< this machine's numbers of the run's CPUs, in order
  std::atomic<int> jobs_done_{0};
  std::atomic<std::int64_t> waited_for_core_ns_{0};
  std::atomic<int> waits_counted_{0};
  std::atomic<bool> waits_unmeasured_{false};
  std::atomic<bool> stopped_{false};
  RealShared* shared_ = nullptr;
  PeerSet* peers_ = nullptr;
};

/// Calls `wake` when the run aborts (e.g. to notify a condition variable), for as long as
/// it lives: its destructor unregisters it, so an abort racing with the end is safe.
class AbortHook {
 public:
  AbortHook(RunContext& ctx, std::function<void()> wake);
  ~AbortHook();
  AbortHook(const AbortHook&) = delete;
  AbortHook& operator=(const AbortHook&) = delete;

 private:
  RunContext& ctx_;
  std::uint64_t id_;
};

}  // namespace gilsim::real

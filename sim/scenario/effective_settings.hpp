// The one set of settings a run really uses, computed once from the scenario and the run
// (CPython's version-dependent defaults applied), for the model and the real executors
// alike; and the one way to fit a scenario to the machine it is measured on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sim/scenario/scenario.hpp"

namespace gilsim::scenario {

struct EffectiveSettings {
  int cores = 1;
  Machine machine;
  GilMode gil = GilMode::New;
  Time switch_interval = kDefaultSwitchInterval;
  Costs costs;
  /// What one unit of Python work costs: 1 + free_threading_overhead without a GIL (F2), else 1.
  double python_cost_factor = 1.0;
  int workers = 1;  ///< pools: max_workers or processes (T2, P2)
  StartMethod start_method = StartMethod::Fork;
  int chunksize = 0;  ///< process_pool and process_pool_executor only (P5, P9)
};

EffectiveSettings effective_settings(const Scenario& scenario, const Run& run);

/// CPU time of `work` of Python bytecode under these settings (F2 applied here, once).
Time python_cost(const EffectiveSettings& settings, Time work);

/// The one rule that fits a run to a machine with `cpus` CPUs: it gets min(asked, cpus).
int fit_cores(int asked, int cpus);

/// Fits every run of `scenario` to a machine with `cpus` CPUs (fit_cores), so a prediction
/// and a measurement are about the same cores. Returns a sentence for the reader when the
/// scenario asked for more cores than there are, or nothing.
std::optional<std::string> fit_to_machine(Scenario& scenario, int cpus);

/// ThreadPoolExecutor.submit's rule for growing a pool (T3): an idle worker takes the new
/// item, otherwise a worker starts while fewer than max_workers run. Both the model and the
/// real executors grow their thread pools (and asyncio's default executor) by it.
class ThreadPoolGrowth {
 public:
  explicit ThreadPoolGrowth(int max_workers) : max_workers_(max_workers) {}
  /// submit(): true when this item needs a new worker started.
  bool submit() {
    if (idle_ > 0) {
      --idle_;
      return false;
    }
    if (threads_ >= max_workers_) return false;
    ++threads_;
    return true;
  }
  /// A worker finished an item and is about to wait for the next (_idle_semaphore.release()).
  void worker_idle() { ++idle_; }
  int threads() const { return threads_; }

 private:
  int max_workers_;
  int threads_ = 0;
  int idle_ = 0;
};

}  // namespace gilsim::scenario

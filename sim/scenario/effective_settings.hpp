// The one set of settings a run really uses, computed once from the scenario and the run
// (CPython's version-dependent defaults applied), for the model and the real executors
// alike; and the one way to fit a scenario to the machine it is measured on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

/// One wake-up the machine was measured to take (docs/model.md G8,
/// fidelity/cpython/wake_latency.py's `handoff_*` sections, medians): a waiter whose CPU idled
/// `idle` in a timed wait that ran out, that then ran, blocked again and was signalled at
/// once from the other CPU, ran `latency` after the signal.
struct WakeSample {
  Time idle;
  Time latency;
};

/// G2a's law: how long after its timer fires a GIL waiter whose core idled `idle` (the
/// switch interval and the slack) runs: `timer_wake_min` up to `timer_wake_window`, then
/// `timer_wake_per_doubling` more per doubling of the idle. The model and the fit share it.
Time timer_wake(const Costs& costs, Time idle);

/// One timed wait the machine was measured to overrun (docs/model.md G2a,
/// fidelity/cpython/wake_latency.py's `timer_*` sections, medians): a wait of `timeout`
/// with nobody signalling, on an otherwise idle CPU, ran `late` after its nominal deadline;
/// the waiter's timer slack was `slack`.
struct TimerSample {
  Time timeout;
  Time late;
  Time slack;
};

/// P7c: what sending `bytes` (a result the size of the scenario's, at most
/// kPicklingProbeBytes) from one process to another took on the machine, each part the median
/// of a few tries, as a pool's worker and parent split it: pickle.dumps in the sender (CPU
/// time), the pipe (wall time: the sender's send_bytes() while another process reads), and
/// pickle.loads in the receiver (CPU time).
struct PicklingProbe {
  std::int64_t bytes = 0;
  Time dumps;
  Time pipe;
  Time loads;
};

/// P7c: the largest message the pickling probe sends (the scenario's result when smaller):
/// big enough that the per-message costs are lost in it, small enough for a short probe.
inline constexpr std::int64_t kPicklingProbeBytes = 2'000'000;

/// What is known of the machine a scenario is fitted to.
struct MeasuredMachine {
  int cpus = 1;
  std::vector<double> core_speeds;  ///< S7, relative; empty: the scenario's
  std::vector<WakeSample> wake;     ///< G8; empty: the scenario's wake_* costs
  std::vector<TimerSample> timer;   ///< G2a; empty: the scenario's timer_* costs
  /// P4e: how long python3 took to start a process on the machine (gilsim_fidelity's fork
  /// probe: os.fork(), the child's os._exit() and the parent's waitpid(), the fastest of 20;
  /// over several rounds, the median of theirs); none: the scenario's process start costs.
  std::optional<Time> fork_probe;
  /// P7c: the pickling probe (`gilsim run --cpython`'s calibration); none: the scenario's
  /// ipc_bandwidth, and no cost for the bytes' way through the pipe.
  std::optional<PicklingProbe> pickling = std::nullopt;
};

/// P4e: the fork probe on the host the process start costs' defaults were measured on
/// (docs/model.md P4c, P4d): the median of the six rounds' fastest starts of
/// fidelity/measured.jsonl, 0.419 ms.
inline constexpr Time kReferenceForkProbe = Time{418'763};

/// P4e: one process start cost and the share of it that is the kernel's work on the host
/// kReferenceForkProbe was measured on (the fork's page tables, the copy-on-write and fresh
/// pages' faults, exec, the pipes' and threads' system calls), which follows the machine's
/// fork probe; the rest is Python's own, which does not.
struct KernelShare {
  Time Costs::*cost;
  const char* name;
  double share;
};

/// P4e: every process start cost the fork probe moves, with its kernel share.
const std::vector<KernelShare>& process_start_kernel_shares();

/// The one way to fit a scenario to the machine it is measured on, so a prediction and a
/// measurement are about the same machine:
/// - every run gets at most `cpus` cores (fit_cores), and pinned CPUs are folded onto them
///   (fit_pins, pin_fit.hpp);
/// - `core_speeds`, when given, become the machine's core speeds (S7);
/// - `wake`, when given, sets G8's halted-core law: `costs.wake_poll_window` and
///   `costs.wake_per_doubling` are those of the law `wake_poll_max + d x log2(idle / window)`
///   that comes nearest the samples, each sample's error relative to its latency: a sample
///   whose idle is within the window counts as the polling draw's median,
///   (wake_poll_min + wake_poll_max) / 2. The window is the best of those the samples tell
///   apart: half the shortest idle, the geometric mean of each two idles next to each other,
///   and the longest idle (the longer on a tie); d, never negative, is least squares for
///   that window. The polling draw itself (wake_poll_min, wake_poll_max: the races' margin,
///   G8) is kept. A sample of over 1 ms is left out: a waiter the host ran only at its next
///   tick (4 ms at HZ 250), which G8 does not model (gil_tenure.py leaves such tenures out of
///   its figures, its LATE); with no sample left, the law stays as it was.
/// - `timer`, when given, sets G2a's timed wait: `costs.timer_slack` becomes the samples'
///   slack (their median), and `costs.timer_wake_min` and `costs.timer_wake_per_doubling`
///   those of timer_wake() nearest the samples' own wake-ups, each `late - slack` at an idle
///   of `timeout + slack` (the timer fires at the slack's end when nothing else wakes the
///   CPU), each sample's error relative to its wake-up; least squares, the window kept, d
///   never negative, the minimum never negative; with samples at one idle only, d is kept.
///   A sample whose wake-up is not positive (the timer fired inside the slack) or over 1 ms
///   (a waiter left for the next tick) is left out; with none left, nothing changes.
/// - `fork_probe`, when given, moves each process start cost of process_start_kernel_shares()
///   (P4e): its kernel share x (fork_probe / kReferenceForkProbe) + the rest, Python's own, as
///   it was (to the ns); a probe equal to the reference changes nothing. forkserver_start and
///   forkserver_request (estimates, never measured) are kept.
/// - `pickling`, when given, sets P7c's costs: `costs.ipc_bandwidth` becomes the bytes over
///   the mean of the probe's dumps and loads (the model charges that bandwidth on each side),
///   and `costs.ipc_pipe_bandwidth` the bytes over the probe's pipe time; a part measured as
///   no time leaves its cost as it was.
/// Returns a sentence for the reader when the scenario asked for more cores than there are,
/// or nothing; `fitted_for`: whether the model predicts the runs (its sentence speaks of no
/// prediction for measured runs alone).
enum class FittedFor {
  Prediction,        ///< the model predicts the runs, measured or not
  MeasuredRunsOnly,  ///< the runs are measured alone (`gilsim run --real-only`)
};
std::optional<std::string> fit_to_machine(Scenario& scenario, const MeasuredMachine& machine,
                                          FittedFor fitted_for = FittedFor::Prediction);
inline std::optional<std::string> fit_to_machine(Scenario& scenario, int cpus, FittedFor fitted_for = FittedFor::Prediction) {
  return fit_to_machine(scenario, MeasuredMachine{cpus, {}, {}, {}, std::nullopt}, fitted_for);
}

/// How far a probe may be from the model's calibrated default (either way) before the fitted
/// line says so: kReferenceForkProbe for the fork probe, Costs{}.ipc_bandwidth for pickling.
inline constexpr double kFarFromCalibrated = 3.0;

/// What a fit took from `machine` besides its cores, as one line for the reader ("Fitted to
/// this machine: process start 0.55 ms (fork probe), pickling 190 MB/s, pipe 120 MB/s."), or
/// nothing when it measured neither a process start nor a pickling. A probe past
/// kFarFromCalibrated of its default adds what the default is and that the machine is slow
/// or busy now (or faster), so the prediction is for this moment.
std::optional<std::string> fitted_line(const MeasuredMachine& machine);

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

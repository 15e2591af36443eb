// Runs every run of a scenario for real, one after another, on a background thread, so the
// viewer stays responsive: progress to read, a cancel flag, and finished traces to collect.
#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sim/scenario/effective_settings.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace.hpp"

namespace gilsim::viz {

/// Who runs the scenario: gilsim's real executors, or CPython itself under the recorder.
enum class RealSource { Executors, CPython };

/// What became of one run.
struct RealOutcome {
  enum class Kind { Measured, Refused, Failed, Cancelled };
  Kind kind = Kind::Measured;
  std::string run_name;
  std::optional<trace::Trace> trace;  ///< set when Measured
  std::string message;                ///< why refused, failed or cancelled
  Time cpu = Time::zero();  ///< a CPython run's: the CPU time its processes got (cpython::CPythonRunInfo)
};

/// What the real-runs list says of a run that was not measured, naming the run once: its
/// message as it is when it names the run itself ("run 'threads' cannot run for real: ...",
/// "the CPython run 'threads' timed out ..."), else "threads: not run here: ...", "threads
/// failed: ...", "threads: cancelled". Empty for a measured run.
std::string outcome_line(const RealOutcome& outcome);

/// Where the background work stands, copied out under the lock.
struct RealProgress {
  bool running = false;
  int run_index = 0;  ///< 0-based: the run executing now (or about to)
  int run_count = 0;
  std::string run_name;
  int jobs_done = 0;
  int jobs_total = 0;
  /// CPython: what the calibration measured of this machine, once it has (P4e, P7c).
  std::optional<scenario::MeasuredMachine> machine;
};

class RealRunner {
 public:
  RealRunner() = default;
  RealRunner(const RealRunner&) = delete;
  RealRunner& operator=(const RealRunner&) = delete;
  /// Cancels what still runs and joins: no thread or child process outlives the runner.
  ~RealRunner();

  /// Starts running every run of `scenario` for real; cancels and joins a previous start first.
  void start(scenario::Scenario scenario, Time timeout = Time{120'000'000'000},
             RealSource source = RealSource::Executors);
  /// Asks the current run to stop promptly and the rest not to start; returns at once.
  void cancel();
  /// Blocks until the background thread has finished (all runs, or cancelled).
  void wait();

  bool running() const;
  RealProgress progress() const;
  /// The outcomes finished since the last call, in run order; for the UI thread.
  std::vector<RealOutcome> take_finished();

 private:
  void work(scenario::Scenario scenario, Time timeout, RealSource source);

  std::thread thread_;
  std::atomic<bool> cancel_{false};
  mutable std::mutex mutex_;
  RealProgress progress_;
  std::vector<RealOutcome> finished_;
};

}  // namespace gilsim::viz

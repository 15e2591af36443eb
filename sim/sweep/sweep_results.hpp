// What a sweep measures: each shown run's figures at each grid point and seed, computed by
// trace::compute_metrics, and their mean and spread over seeds.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/sweep/sweep_plan.hpp"

namespace gilsim::sweep {

/// One run at one grid point and seed. Plain data: worker processes send it as bytes.
struct RunFigures {
  std::uint64_t seed = 0;    ///< the scenario's seed at this point, moved on by the seed's number
  std::int64_t makespan_ns = 0;  ///< when the run ended; a run that did not finish ended where it stopped
  /// The scenario's first run's makespan / this run's, same point and seed; NaN when either
  /// did not finish (trace::Metrics::finished): a run that stopped early has no speed-up.
  double speedup = 0.0;
  // Two 4-byte flags, not bools: no padding bytes, which would differ between processes and
  // make the same figures compare unequal as bytes (gilsim_sweep_bench compares them so).
  std::int32_t finished = 1;    ///< 1: every job done (trace::Metrics::finished)
  std::int32_t deadlocked = 0;  ///< 1: it stopped in a deadlock (trace::ended_in_deadlock)
  double cores_busy = 0.0;   ///< 0..1
  double gil_held = -1.0;    ///< the busiest GIL's (trace::Metrics::gil_held), 0..1; -1 when no process has a GIL
  std::int64_t gil_lanes = 0;  ///< one GIL per process that has one: several, and gil_held is the busiest's
  std::int64_t gil_wait_ns = 0;
  std::int64_t switches = 0;
  std::int64_t jobs_done = 0;
  /// Updates the scenario's counters lost, summed over them (trace::Counter::lost, as the run
  /// table's lines under it count them); -1 when the scenario has no counters.
  std::int64_t lost_updates = -1;
};

/// Every figure of a sweep: figures[(task * runs) + run], task = point * seeds + seed.
struct SweepResult {
  std::size_t run_count = 0;
  int seeds = 1;
  std::vector<RunFigures> figures;

  const RunFigures& at(std::size_t point, int seed, std::size_t run) const {
    return figures[(point * static_cast<std::size_t>(seeds) + static_cast<std::size_t>(seed)) * run_count + run];
  }
};

/// The sweep was stopped (Ctrl-C) before it finished; nothing of it should be written.
class SweepCancelled : public std::runtime_error {
 public:
  SweepCancelled() : std::runtime_error("interrupted") {}
};

/// Called after each task with (tasks done, tasks in all).
using SweepProgress = std::function<void(std::size_t, std::size_t)>;

/// The shown runs' figures for one task (a point and a seed), in the plan's run order.
/// Throws scenario::ScenarioError when the point's values do not go together.
std::vector<RunFigures> simulate_task(const SweepPlan& plan, std::size_t task);

/// Runs every task here, one after another (the viewer calls it from a background thread).
/// Throws SweepCancelled as soon as `cancel` is true between tasks.
SweepResult run_sweep_here(const SweepPlan& plan, const std::atomic<bool>* cancel = nullptr,
                           const SweepProgress& progress = {});

struct Spread {
  double mean = 0.0;
  double deviation = 0.0;  ///< sample standard deviation over seeds; 0 for one seed
  double low = 0.0, high = 0.0;  ///< the smallest and the largest seed's value
  /// The seeds disagree: the standard deviation is more than half the mean, so the mean may
  /// be a value no seed gave (lesson 15 at 1.6 ms: four seeds 0.006x in a lock convoy, one 0.96x; mean
  /// 0.20x). A table marks it and says the range.
  bool seeds_disagree() const { return high > low && deviation > 0.5 * std::abs(mean); }
};

struct PointSummary {
  /// makespan_ns and speedup are NaN when a seed's run did not finish: its point has no
  /// time to finish and no speed-up, in every output (a table's "deadlocked", a gap in a curve).
  Spread makespan_ns, speedup, cores_busy, gil_held, gil_wait_ns, switches, lost_updates;
  bool has_gil = false;
  bool has_counters = false;  ///< the scenario has counters: lost_updates counts their lost updates
  bool several_gils = false;  ///< some seed's run had more than one GIL: gil_held is a busiest GIL's
  int unfinished = 0;         ///< seeds whose run did not finish
  int deadlocked = 0;         ///< of those, the seeds whose run stopped in a deadlock
  bool finished() const { return unfinished == 0; }
};

/// One run at one grid point, over its seeds.
PointSummary summarise(const SweepResult& result, std::size_t point, std::size_t run);

/// Why a point has no makespan or speed-up, for a table's cell, a chart's mark and a tooltip:
/// "deadlocked", "did not finish", "deadlocked in 2 of 5 seeds"; empty when it finished.
std::string unfinished_text(const PointSummary& s, int seeds);

/// The sentence saying which shown runs the varied values leave unchanged: the same makespan,
/// switches, GIL wait and lost updates at every point, seed by seed (lesson 11's old GIL
/// under the switch interval, which it does not read); empty when none is, or with one point.
std::string unmoved_runs_note(const SweepPlan& plan, const SweepResult& result);

/// What a run's row says in a CSV or JSON file: "finished", "deadlock" or "unfinished".
const char* outcome_word(const RunFigures& f);

}  // namespace gilsim::sweep

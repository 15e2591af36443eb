// `gilsim run --real`: runs a scenario's runs for real on this machine beside the model,
// and the table that puts the prediction next to the measurement.
#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace.hpp"

namespace gilsim::cli {

struct MeasureOptions {
  double timeout_seconds = 120.0;
  std::ostream* progress = nullptr;  ///< a progress line while a run executes; null: quiet
};

/// The measured trace of `run`, or nullopt with `why` filled when the run cannot run for
/// real here (too many threads, too much work). Throws std::runtime_error when a run times
/// out, is interrupted (Ctrl-C) or a worker fails; every thread and child is gone by then.
std::optional<trace::Trace> measure_run(const scenario::Scenario& scenario, const scenario::Run& run,
                                        const MeasureOptions& options, std::string& why);

/// A sentence saying that a measured CPython run's CPU ran off its calibrated speed
/// (cpu_check.off_pace()): how much slower or faster, from its compute() steps' CPU time.
std::string pace_note(const trace::Trace& measured);

/// A sentence saying that `measured` used more CPU than the model's `planned`, and why.
std::string executor_cost_note(const trace::Trace& measured, Time planned);

/// Under the counters of a measured run that kept every update of a counter the model's
/// prediction lost updates of (or lost at most half as many), when it was switched out of
/// the GIL fewer times than predicted: the two counts, and that fewer switches are fewer
/// chances to lose an update, so the class runs it again. Forced switches for gilsim's
/// executor; a CPython recording does not see them, so its GIL's changes of holder against
/// the model's. A CPython run whose switches the recorder did not see
/// (cpython::figures_not_seen: lesson 15's `counter += one()`) says instead what it did see,
/// given the scenario `s`: how long the jobs that update the counter ran at the same time,
/// against the model's (jobs that never overlap lose nothing), and that the recorder adds
/// nothing inside them, so the plain program does the same. nullopt when that is not what
/// happened.
std::optional<std::string> kept_updates_note(const trace::Trace& predicted, const trace::Trace& measured,
                                             const scenario::Scenario* s = nullptr);

/// How long at least two of `jobs` (indexes into t.jobs, finished ones counted) ran at the
/// same time, between their starts and their ends; and the time from the first's start to
/// the last's end.
std::pair<Time, Time> jobs_together(const trace::Trace& t, const std::vector<std::uint32_t>& jobs);

/// Who measured the Pool.map runs of a pool_switches_note.
enum class PoolSwitchesOrigin { RealExecutor, CPython };
/// Why the GIL switches of measured Pool.map runs `runs` (quoted names) are not comparable
/// with the model's: the real executor's parent has no worker handler thread; CPython's
/// parent has its handler threads, but the recorder does not see them take the GIL.
std::string pool_switches_note(const std::vector<std::string>& runs,
                               PoolSwitchesOrigin origin = PoolSwitchesOrigin::RealExecutor);

/// A measured old-GIL run on several cores of gilsim's executor, whose GIL switches are not
/// comparable with the model's (old_gil_switches_note).
bool old_gil_switches_differ(const trace::Trace& measured);
/// Why: the model draws the old GIL's hand-offs with an estimated probability (O3), the real
/// executor's lock goes as the scheduler lets it. `runs`: the runs' names, unquoted.
std::string old_gil_switches_note(const std::vector<std::string>& runs);

/// One row per run with both traces: predicted and measured makespan with the error, GIL
/// switches and GIL wait side by side, in the order of `measured` (the file's). Each row is
/// judged by real::judge, as the viewer judges it: a run that stopped says which side did; a
/// run that other programs starved of its cores (real::starved_note, gilsim's executor's runs
/// and CPython's alike) and a run named in `unscored` (a recording that saw too little) show
/// "not scored" and their note under the table, in the rows' order; a run whose error is
/// outside real::kErrorTolerance shows, instead of it, each cause that makes the error not
/// the model's, with one sentence each under the table: "executor" (it was slower than
/// predicted and used well more CPU than the model's run computes for: its executor's own
/// cost per step), "off pace" (its CPU ran off its calibrated speed), as "executor*"; an
/// error within the tolerance is shown unmarked. A measured Pool.map run's switches are
/// marked "+", with pool_switches_note() under the table, and so are a measured old-GIL run's
/// on several cores, with old_gil_switches_note(). Counts are grouped ("5,959"). At most
/// `width` columns wide, as the run table: columns that do not fit are left out from the
/// right, the sentences wrap.
std::string render_prediction_table(const std::vector<const trace::Trace*>& predicted,
                                    const std::vector<const trace::Trace*>& measured,
                                    const std::map<std::string, std::string>& unscored = {},
                                    int width = 100);

}  // namespace gilsim::cli

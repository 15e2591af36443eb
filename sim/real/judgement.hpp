// How a measured run is judged against its prediction: one decision for the command line's
// table (gilsim run --real / --cpython), the viewer's header and Numbers panel, and
// gilsim_fidelity's page, so that none shows an error another calls not the model's.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/real/machine_load.hpp"
#include "sim/trace/metrics.hpp"
#include "sim/trace/trace.hpp"

namespace gilsim::real {

/// An error within this share of the measured time is shown as it is, whatever the run's
/// executor or pace did: the fidelity page's tolerance for times (docs/fidelity.md).
inline constexpr double kErrorTolerance = 0.10;

/// A measured run whose CPU time exceeds the model's (`planned`, its cores' busy time) by
/// more than both of these did work of its executor's own: per-step clock reads and records,
/// starts, copies. Only when the model's run computes for kExecutorCostLeast at least: a
/// shorter one is all start-up (lesson 16's deadlock computes for 65 us).
inline constexpr Time kExecutorCostFloor{2'000'000};
inline constexpr double kExecutorCostShare = 1.25;
inline constexpr Time kExecutorCostLeast{10'000'000};

/// The CPU time the model's run computes for: its cores' busy time.
Time predicted_cpu(const trace::Metrics& predicted, int cores);
Time predicted_cpu(const trace::Trace& predicted);

/// Whether the executor's own work explains a run's error (`error`: (predicted - measured) /
/// measured, a fraction): it was more than kErrorTolerance slower than predicted and its CPU
/// time (`check.got`) exceeds `planned` by the kExecutorCost... margins.
bool executor_cost(const trace::CpuCheck& check, Time planned, double error);

/// Which side of a comparison stopped before its last job (a deadlock): then there is no
/// makespan to compare.
enum class Stopped { none, both, predicted, measured };

/// "both stopped", "predicted stopped", "measured stopped" (empty for none).
std::string_view stopped_words(Stopped s);

/// A measured run against its prediction.
struct Judgement {
  double error = 0;  ///< (predicted - measured) / measured makespan
  Stopped stopped = Stopped::none;
  /// A CPython recording that saw too little of its jobs (cpython::too_little_seen, which the
  /// caller knows): not scored whatever the error, said before any other cause.
  bool seen_too_little = false;
  /// starved_note's sentence: other programs took its cores; not scored whatever the error.
  std::optional<std::string> starved;
  /// Outside kErrorTolerance only (an error within it is shown, whatever the run did):
  bool executor = false;  ///< executor_cost (gilsim's executor, which has no pace of its own)
  bool off_pace = false;  ///< cpu_check.off_pace(): a CPython run's CPU off its calibrated speed
  Time planned_cpu;       ///< predicted_cpu: what the model's run computes for
  /// The one rule for "scored", for every reader: the error cell, the run tables' '!' and '?'
  /// marks, the viewer's header and Numbers panel. Lesson 04's asyncio in CPython ran 17%
  /// slower than calibrated and measured within 0.3% of its prediction: scored in the error
  /// cell, it was once called "not scored" under the run table by a rule of its own.
  bool scored() const { return stopped == Stopped::none && !seen_too_little && !starved && !executor && !off_pace; }
};

/// `pm` and `mm`: compute_metrics of `predicted` and `measured`, which the caller has.
Judgement judge(const trace::Trace& predicted, const trace::Metrics& pm, const trace::Trace& measured,
                const trace::Metrics& mm, bool seen_too_little = false);

/// A measured run with no prediction beside it (`gilsim run --real-only`, a trace opened
/// without its prediction): only what needs no error decides, its recording and a busy
/// machine; off its pace or beyond its planned CPU, a run is not scored only where its error
/// is outside the tolerance, and it has none.
Judgement judge_alone(const trace::Trace& measured, bool seen_too_little = false);

/// The short reason a measured run is not scored (judged.scored() false), for the marks of
/// the run tables: "its recording saw too little of its jobs", "busy machine", "the
/// executor's own work", "its CPU ran 17% slower than calibrated". nullopt for a run that is
/// scored, is not measured, or stopped before its last job (its error cell says so, and a
/// run that stopped has no speed-up to mark).
std::optional<std::string> unscored_reason(const trace::Trace& run, const Judgement& judged);

/// The mark a speed-up takes when the run it divides by is not scored (unscored_reason), and
/// the line under the table that says why: "? marks a speed-up that divides by 'sequential,
/// CPython 3.11 (measured)', which is not scored (busy machine): ...".
inline constexpr const char* kUnscoredBaselineMark = "?";
std::string unscored_baseline_line(const std::string& baseline, const std::string& why);

/// The mark a measured run's own makespan takes when the run is not scored (unscored_reason),
/// and the line under the table that names each such run with why:
/// "! marks a measured run that is not scored: ... 'threads (measured)' (busy machine)".
inline constexpr const char* kUnscoredRunMark = "!";
std::string unscored_runs_line(const std::vector<std::string>& runs_and_why,
                               std::string_view more = "the lines after the timelines say more");

/// For a run that stopped (j.stopped is not none), the sentence under the table: both stopping is the
/// prediction met, one stopping is the prediction missed.
std::string stopped_note(const std::string& run, const Judgement& j);

/// The error column's cell: "+3.2%", "both stopped", "not scored" (its recording, or starved), or the causes
/// that explain the error away, "executor*", "off pace*" ("*": a sentence under the table).
std::string error_cell(const Judgement& j);

}  // namespace gilsim::real

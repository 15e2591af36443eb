// The model's entry point: simulate one run of a scenario, deterministically.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <vector>

#include "sim/model/work_budget.hpp"
#include "sim/scenario/job_plan.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace.hpp"

namespace gilsim::model {

struct SimulationStats {
  std::uint64_t events = 0;  ///< events processed by the queue
  std::uint64_t asides = 0;  ///< of them, run in a stretch of another thread's steps (Engine::run_asides())
};

/// Simulates `run` of `scenario`. The same scenario, run and seed give the same trace.
/// Throws WorkLimitExceeded (work_budget.hpp) when the run needs more than `max_events`.
trace::Trace simulate(const scenario::Scenario& scenario, const scenario::Run& run,
                      SimulationStats* stats = nullptr, std::uint64_t max_events = kDefaultMaxEvents);

/// Every run of the scenario, in file order.
std::vector<trace::Trace> simulate_all(const scenario::Scenario& scenario);

/// What every run of a scenario shares, made once: its job plan, and its templates' step
/// labels and its jobs' drawn durations (which the runs' traces share).
struct SharedPlan {
  explicit SharedPlan(const scenario::Scenario& scenario) : jobs(scenario::plan_jobs(scenario)), traced(scenario, jobs) {}
  scenario::JobPlan jobs;
  scenario::TraceJobs traced;
};

/// Runs being simulated, watched from another thread (the viewer's progressive display). The
/// watcher asks; every run answers at its next check, each kEventsBetweenChecks events of the
/// model, with its trace so far (TraceBuilder::prefix at the model's clock), and a run that
/// ended answers with its whole trace. Between checks the engine runs exactly as unwatched
/// (the checks ride on its event limit), and the runs' traces are the same watched or not.
class Progress {
 public:
  /// Events of the model between two looks at whether a watcher asked (well under a millisecond).
  static constexpr std::uint64_t kEventsBetweenChecks = std::uint64_t{1} << 14;

  /// Called with each answer, on the thread of the run answering (after it is stored).
  using Listener = std::function<void(std::size_t run, const trace::Trace& answer)>;

  /// Runs answer every `events_between_checks` events of the model at most.
  explicit Progress(std::uint64_t events_between_checks = kEventsBetweenChecks, Listener listener = {})
      : events_between_checks_(events_between_checks), listener_(std::move(listener)) {}

  // The watcher's side.
  /// Asks every run for its trace so far (and lets runs held after their last answer go on).
  void ask();
  /// From now on a run that answered with its trace so far waits for the next ask() before it
  /// goes on, so the watcher sees each slice before the runs move past it: every watched run
  /// longer than one slice shows a partial answer, at any pace of the machine (the tests).
  void hold_runs_between_answers();
  /// Stops holding runs, and lets those held go on (the watcher leaves).
  void release();
  /// Waits until every run answered the last ask(): true; false when the simulation is over
  /// (every run ended or one failed) or `stop` was requested first.
  bool wait_for_answers(std::stop_token stop);
  /// Copies of every run's latest answer, in file order: after wait_for_answers() returned
  /// true (none once the simulation is over). Copied under the lock: a whole trace is shared
  /// with its run, which takes it back at the end (take_back) while nobody reads it.
  std::vector<trace::Trace> answers() const;

  // The simulation's side (simulate_all).
  /// The simulation of `runs` runs begins (an ask() before now is answered now).
  void begin(std::size_t runs);
  /// Whether the watcher waits for run `run`'s trace (one relaxed load).
  bool asked(std::size_t run) const { return asked_[run].load(std::memory_order_relaxed); }
  /// Run `run`'s answer: its trace so far, or its whole trace once it ended. After a trace so
  /// far it returns at the next ask() or release() while runs are held.
  void answer(std::size_t run, std::shared_ptr<const trace::Trace> trace);
  /// The simulation is over (ended or failed): no more answers come.
  void end();
  /// After end(): the whole trace run `run` answered with (`whole`), moved out of the answer.
  trace::Trace take_back(std::size_t run, std::shared_ptr<trace::Trace> whole);
  std::uint64_t events_between_checks() const { return events_between_checks_; }

 private:
  std::uint64_t events_between_checks_;
  Listener listener_;
  mutable std::mutex mutex_;
  std::condition_variable_any changed_;
  bool asking_ = false;  ///< an ask() came before begin()
  bool hold_ = false;    ///< hold_runs_between_answers() until release()
  bool over_ = false;
  std::vector<std::shared_ptr<const trace::Trace>> latest_;  ///< by run
  std::vector<bool> answered_;                               ///< by run: since the last ask()
  std::vector<bool> ended_;                                  ///< by run: latest_ is its whole trace
  std::unique_ptr<std::atomic<bool>[]> asked_;               ///< by run: an answer is awaited
};

/// Whether `run`, a whole run of the model, comes out the same under any switch interval (all
/// but its `switch_interval` field): true when no thread of it ever waited for a GIL. The
/// interval is read only for a GIL's waiters (their drop deadline, docs/model.md G2), and a
/// thread that starts waiting leaves a GilRequest mark, or a ForcedSwitch one when it was
/// switched out (after a DropRequest, or the old GIL's hand-off), so a run with none of these
/// marks never read it. False for a run cut short (partial()) or not simulated.
bool switch_interval_cannot_change(const trace::Trace& run);

/// Whether `run`, a whole run of the model, comes out the same on `cores` cores (>= 1) but for
/// what names the core count (its `cores` field and its core lanes, which with_cores()
/// adjusts): true when one thread ran in the whole run (one thread lane, one process), never
/// waiting for a core or a GIL (no Runnable span, no GilRequest, DropRequest, ForcedSwitch,
/// Preempt or RacesLost mark), and all its core spans are on one core lane below `cores`.
/// Such a thread takes core 0 at its start (or the lowest its pins allow) and every wake-up
/// finds the core it last ran on idle (S1), so no rule of the engine reads another core
/// (docs/model.md, "A change of the core count keeps..."). False for a run cut short
/// (partial()) or not simulated. The run's settings sized by the core count (a pool's
/// default size, T2, P2) are simulate_all()'s to check (ReusedRuns).
bool core_count_cannot_change(const trace::Trace& run, int cores);

/// `run` as simulated on `cores` cores, for a run of which core_count_cannot_change(run,
/// cores) holds: its core lanes "core 0" to "core N-1" first, as the engine makes them (the
/// lanes past the old count added empty, or the empty ones past the new count dropped), every
/// other lane's id moved by the difference wherever a lane is named (spans' subjects on core,
/// GIL and lock lanes, marks, jobs, processes' GIL lanes), and `cores` set.
trace::Trace with_cores(const trace::Trace& run, int cores);

/// Runs simulated before, by run (null: simulate it), under settings that differ at most in
/// the switch interval (when `switch_interval_moved`) and the core count (when `cores_moved`):
/// simulate_all() copies each run every moved setting's rule keeps instead of simulating it
/// again (switch_interval_cannot_change(); core_count_cannot_change() at the run's new core
/// count, with the run's settings sized by the core count the same at both counts; a run
/// with cores of its own, which the machine's do not reach, needs no rule for them), on the
/// thread that would have simulated it, and simulates the others. A copy gets the run's new
/// interval, and its new core count (with_cores()). The caller leaves them as they are until
/// simulate_all() returns.
struct ReusedRuns {
  std::vector<const trace::Trace*> runs;
  bool switch_interval_moved = true;
  bool cores_moved = false;
  /// A run kept as it is (Reuse::AsIs) is not copied: a watcher is answered with the run
  /// offered itself (read where it is, not owned), and simulate_all() returns in its place a
  /// stand-in (Trace::described_alike(), its end, its new interval, nothing recorded) for the
  /// caller to move the run offered into (the viewer's knob change, which replaces the runs
  /// shown: lesson 15's two such runs are 10 MB, 2,600 fresh pages a change to copy).
  bool as_is_left_to_caller = false;
};

/// What simulate_all() does with run `r` of `s` offered in `reused`: simulates it (None),
/// copies it as it is but for its interval (AsIs: the same lanes, spans and marks), or copies
/// it onto the new core count (NewCoreCount: with_cores(), its lanes moved).
enum class Reuse : std::uint8_t { None, AsIs, NewCoreCount };
Reuse reuse_of(const scenario::Scenario& s, std::size_t r, const ReusedRuns* reused);

/// The same traces, simulated on up to `threads` threads at once (the runs share nothing
/// else): the runs estimated longest start first, so the last to finish is not a long run
/// started late. A run that fails fails the whole, with the error of the first failing run in
/// file order, as one run after another would. `plan`, when given and set, is this scenario's
/// (made for one that is scenario::same_plan); when given and empty, the plan made here (once
/// the runs' work is checked) is left in it for the next knob change. `progress`, when given,
/// answers a watcher with the runs' traces so far while they are simulated. `reused`, when
/// given, holds runs that need not be simulated again (ReusedRuns): copied from it.
std::vector<trace::Trace> simulate_all(const scenario::Scenario& scenario, unsigned threads,
                                       std::shared_ptr<const SharedPlan>* plan = nullptr,
                                       Progress* progress = nullptr, const ReusedRuns* reused = nullptr);

}  // namespace gilsim::model

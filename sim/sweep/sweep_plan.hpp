// A sweep, checked before anything runs: the scenario, the axes of the grid, the runs to
// show, the seeds, and the limits that keep a sweep from asking for too much.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/scenario/loader.hpp"
#include "sim/sweep/sweep_values.hpp"

namespace gilsim::sweep {

inline constexpr std::int64_t kMaxSimulations = 10'000;
/// What the simulations running at once may hold, estimated from the scenario's steps.
inline constexpr std::int64_t kMemoryBudgetBytes = std::int64_t{2} << 30;  // 2 GiB

/// A sweep that asks for more than a limit allows; the message names the limit (exit 2).
class SweepRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What the chart plots (sweep_metric.hpp): the speed-up, or the counters' lost updates.
enum class Metric { Speedup, LostUpdates, GilWait };

struct SweepRequest {
  std::string file;                    ///< scenario file; empty: the built-in default
  std::vector<std::string> overrides;  ///< --set KEY=VALUE texts, applied first
  std::vector<std::string> vary;       ///< --vary KEY=VALUES texts: the axes, first outermost
  int seeds = 1;                       ///< the scenario's seed, then seed+1, ...
  std::vector<std::size_t> runs;       ///< indices of the runs to show; empty: every run
  int jobs = 1;                        ///< simulations running at once (memory estimate)
  std::string option = "--vary";       ///< names the axes' option in errors: gilviz says "--sweep"
  Metric metric = Metric::Speedup;     ///< the charts' y; lost updates need the scenario's [counters]
  std::string metric_option = "--metric";  ///< names the metric's option in errors
  /// The option that chooses the runs shown, suggested when a sweep is too large; empty where
  /// there is none (the viewer draws every run).
  std::string runs_option = "--run";
  std::string seeds_option = "--seeds";  ///< the viewer: "--sweep-seeds", or its seeds field
};

/// Grid points are numbered with the first axis outermost: for axes of 3 and 2 values,
/// point 1 is (value 0, value 1). A task is one point with one seed.
struct SweepPlan {
  std::string source_name;  ///< file name, or "<default>"
  scenario::ParsedScenario file;  ///< read and parsed once; each task loads it with its values
  std::vector<scenario::Override> base_overrides;
  std::vector<Axis> axes;
  int seeds = 1;
  std::vector<std::size_t> runs;      ///< indices into the scenario's runs; speed-up is against run 0
  std::vector<std::string> run_names;
  std::string title;
  std::string baseline;     ///< the scenario's first run: speed-up is against it
  Metric metric = Metric::Speedup;  ///< what the charts plot
  bool has_counters = false;        ///< the scenario has [counters]: the tables show their lost updates
  /// A shown run whose settings are the baseline's or an earlier shown run's at every grid
  /// point (varying `workers` sets every pool's): its figures repeat that run's, which the
  /// report says.
  struct RepeatedRun {
    std::string run;
    std::string same_as;
  };
  std::vector<RepeatedRun> repeated_runs;
  /// A --set or --vary key that some runs keep their own value of (override_reach.hpp).
  std::vector<std::string> missed_runs;
  std::int64_t bytes_per_simulation = 0;  ///< the estimate the memory budget was checked with
  /// Per shown run: the axis (its label) whose values change a value the run's name states
  /// ("10 threads" under jobs, "switch 5 ms" under its switch_interval, "Pool(8)" under
  /// workers), else empty. The name is the file's; the report says whose value the rows are.
  std::vector<std::string> name_varied;

  std::size_t points() const;
  std::size_t tasks() const { return points() * static_cast<std::size_t>(seeds); }
  /// Simulations the sweep does: the shown runs, plus run 0 when it is not shown.
  std::int64_t simulations() const;
  std::vector<std::size_t> coordinates(std::size_t point) const;  ///< value index per axis
  std::vector<scenario::Override> overrides_at(std::size_t point) const;
  /// "workers=4, cores=2": each axis's first key and its value at `point`, from axis `from`.
  std::string point_label(std::size_t point, std::size_t from = 0) const;
  /// The same point for a person: each axis's name (or first key) and its value as gilsim
  /// writes values elsewhere (Axis::shown): "switch_interval = 1.60 ms".
  std::string point_text(std::size_t point, std::size_t from = 0) const;
  /// The scenario of a task: the file, --set, the point's values, the seed moved on by `seed`.
  scenario::Scenario scenario_at(std::size_t point, int seed) const;
};

/// Loads the scenario and every value of every axis alone (so a value the key refuses fails
/// as `--set` fails it, naming `--vary`), then checks the limits. Throws
/// scenario::ScenarioError for bad input and SweepRefused for a sweep over a limit.
SweepPlan make_plan(const SweepRequest& request);

/// Why runs draw alike, for the command line's sweep and the viewer's plot in one set of words:
/// a --set or --vary that runs keep their own value of (missed_runs), and runs that run as an
/// earlier one at every point ("'Pool()', 'Pool(8)' and 'Pool(16)' run as 'Pool(2)' at every
/// point: the varied value sets them alike, and the same settings give the same figures. Vary
/// one run's own key (run.NAME.KEY) to compare them.").
std::vector<std::string> alike_runs_notes(const SweepPlan& plan);

/// What `run`'s name states of its settings in `s`, as they are in `s`: "now 64 threads",
/// "250 us", "4 cores", "old GIL" (scenario::stated_settings); empty when its name states none of them as `written` (the file)
/// has it. Two values of an axis that give a run different words vary what its name says.
std::string name_stated(const scenario::Scenario& written, const scenario::Scenario& s, const scenario::Run& run);

/// Rough bytes one simulation of `s` holds at its peak (its trace).
std::int64_t estimate_simulation_bytes(const scenario::Scenario& s);

}  // namespace gilsim::sweep

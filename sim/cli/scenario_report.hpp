// What `gilsim run` prints for one scenario: title, teaching note, a table of the runs'
// figures (from trace::compute_metrics) and each run's text timeline.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/trace/metrics.hpp"
#include "sim/trace/trace.hpp"

namespace gilsim::cli {

struct ReportOptions {
  int width = 100;
  bool timelines = true;
  int max_rows_per_kind = 16;
  /// The command's `--set` texts, in order: said under the file's line, since the title,
  /// the note and the file name all speak of the file as it is.
  std::vector<std::string> overrides;
  /// Said right under the run table: how `--real` or `--cpython` changed the predictions.
  std::string under_table;
  /// The file as written, without `overrides` (nullptr: none given): which runs they changed.
  const scenario::Scenario* written = nullptr;
};

/// A run's "GIL held" cell, as every table prints it: "-" without a GIL, "97%" for one
/// GIL, "max 97%" for several (one per process: the busiest, trace::Metrics::gil_held).
std::string gil_held_cell(const trace::Metrics& m);
/// The line under a table that shows a "max" cell, saying what it means.
extern const char* const kGilHeldMaxNote;

/// The line under a run table with measured rows: which run their speedup divides
/// (`measured_first`, trace::speedup_baseline), or, when null, that `first` was not measured
/// so they show "-"; `some_without`: some measured rows show "-" all the same.
std::string speedup_note(const trace::Trace& first, const trace::Trace* measured_first, bool some_without);

/// One row per run: run, executor, makespan, speedup (vs the first run, a measured run vs the
/// first measured run: trace::speedup_baseline, and speedup_note under the table; marked
/// real::kUnscoredBaselineMark, with real::unscored_baseline_line under the table, when that
/// measured run is not scored), cores busy %,
/// GIL held (gil_held_cell), GIL wait, switches, drop requests, and kGilHeldMaxNote under
/// the table when a run has several GILs and the column is shown.
/// At most `width` columns wide: columns that do not fit are left out, from the right.
std::string render_run_table(const std::vector<const trace::Trace*>& runs, std::size_t width = SIZE_MAX);

std::string render_scenario_report(const scenario::Scenario& scenario, const std::vector<const trace::Trace*>& runs,
                                   const ReportOptions& options);

}  // namespace gilsim::cli

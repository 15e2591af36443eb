// `gilsim sweep`: a scenario over a grid of --vary values, as a table per run, a chart of
// speed-up against the first varied key, and CSV or JSON rows.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace gilsim::cli {

struct SweepOptions {
  std::string file;                      ///< empty: the built-in default scenario
  std::vector<std::string> vary;         ///< --vary KEY=VALUES, first outermost
  std::vector<std::string> overrides;    ///< --set KEY=VALUE, applied before the grid's values
  std::vector<std::string> run_names;    ///< --run NAME; empty: every run
  int seeds = 1;
  std::string metric = "speedup";        ///< --metric: what the charts plot (sweep::parse_metric)
  std::optional<int> jobs;               ///< worker processes; default: this machine's cores
  std::string csv_path;
  std::string json_path;
  std::optional<int> width;
  bool progress_bar = false;             ///< draw a progress bar on `progress` (a terminal)
};

/// Does the whole command; throws as run_scenarios does, plus sweep::SweepRefused (a limit)
/// and sweep::SweepCancelled (Ctrl-C: nothing printed or written).
int run_sweep(const SweepOptions& options, std::ostream& out, std::ostream& progress);

}  // namespace gilsim::cli

// `gilsim run`: load scenarios, simulate their runs, print the reports, write exports.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/cli/run_selection.hpp"
#include "sim/model/work_budget.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/atomic_file.hpp"

namespace gilsim::cli {

struct RunOptions {
  std::vector<std::string> files;        ///< empty: the built-in default scenario
  std::vector<std::string> overrides;    ///< --set key=value, in order
  std::vector<std::string> run_names;    ///< --run NAME; empty: every run
  std::optional<int> width;              ///< --width; default: the terminal's
  bool timelines = true;                 ///< --no-timeline clears it
  std::string chrome_trace_path;         ///< --export-trace; empty: none
  std::string csv_path;                  ///< --csv; empty: none
  bool real = false;                     ///< --real: also run every run for real here
  bool real_only = false;                ///< --real-only: only the real runs
  double timeout_seconds = 120.0;        ///< --timeout for each real run
  bool cpython = false;                  ///< --cpython: also record every run in CPython
  std::string python;                    ///< --python PATH; empty: Debian's python3
  std::uint64_t max_events = model::kDefaultMaxEvents;  ///< --max-events: the model's work, each run
};

using trace::check_output_path;

/// An output file and the option that asked for it ("--csv"), for messages.
struct NamedOutput {
  std::string option;
  std::string path;  ///< empty: not asked for; "-": standard output
};

/// Fails (UsageError) when two outputs name one file (through symlinks, "./", hard links)
/// or both standard output, where the last written would silently replace the other, or when
/// an output names one of the scenario files read (`inputs`), which it would replace.
void check_outputs_apart(const std::vector<NamedOutput>& outputs, const std::vector<std::string>& inputs = {});

/// What tells apart the exported runs of several scenarios: each file's name ("default",
/// "01-cpu-bound"), its folder's too where two files share a name ("before/s", "after/s"),
/// and " #2" on a file given again.
std::vector<std::string> export_prefixes(const std::vector<scenario::Scenario>& scenarios);

/// Does the whole command. Throws scenario::ScenarioError (bad file or --set), UsageError,
/// or std::runtime_error (a file that cannot be written); returns 0 on success.
/// `progress` receives the progress line of real runs (stderr in the command).
int run_scenarios(const RunOptions& options, std::ostream& out, std::ostream* progress = nullptr);

}  // namespace gilsim::cli

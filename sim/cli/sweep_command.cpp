// `gilsim sweep`, from options to the report and the written rows. Everything is checked
// before the first simulation; Ctrl-C stops the workers and writes nothing.
#include "sim/cli/sweep_command.hpp"

#include <fmt/format.h>

#include "sim/cli/run_command.hpp"
#include "sim/cli/run_selection.hpp"
#include "sim/cli/sweep_report.hpp"
#include "sim/cli/terminal_width.hpp"
#include "sim/real/execute.hpp"
#include "sim/sweep/sweep_export.hpp"
#include "sim/sweep/sweep_metric.hpp"
#include "sim/sweep/sweep_processes.hpp"
#include "sim/trace/atomic_file.hpp"

namespace gilsim::cli {

namespace {

/// "\r[#######.............] 412/1000 grid points" on one line, redrawn in place.
sweep::SweepProgress progress_bar(std::ostream& progress, std::size_t seeds) {
  return [&progress, seeds, last = std::size_t{0}](std::size_t done, std::size_t total) mutable {
    constexpr std::size_t kBar = 30;
    const std::size_t filled = done * kBar / total;
    if (filled == last && done != total && done % 16 != 0) return;
    last = filled;
    progress << fmt::format("\r[{}{}] {}/{} {}", std::string(filled, '#'), std::string(kBar - filled, '.'), done,
                            total, seeds > 1 ? "points x seeds" : "grid points")
             << std::flush;
  };
}

}  // namespace

int run_sweep(const SweepOptions& options, std::ostream& out, std::ostream& progress) {
  std::vector<scenario::Override> overrides;
  for (const auto& text : options.overrides) overrides.push_back(scenario::parse_override(text));
  const scenario::Scenario base =
      options.file.empty() ? scenario::load_default(overrides) : scenario::load_file(options.file, overrides);
  sweep::SweepRequest request;
  request.file = options.file;
  request.overrides = options.overrides;
  request.vary = options.vary;
  request.seeds = options.seeds;
  const auto metric = sweep::parse_metric(options.metric);
  if (!metric) {
    throw UsageError(fmt::format("--metric {}: unknown metric; expected one of {}", options.metric,
                                 sweep::kMetricNames));
  }
  request.metric = *metric;
  for (const scenario::Run* run : select_runs(base, options.run_names)) {
    request.runs.push_back(static_cast<std::size_t>(run - base.runs.data()));
  }
  const int jobs = options.jobs.value_or(real::available_cpus());
  request.jobs = jobs;
  const sweep::SweepPlan plan = sweep::make_plan(request);
  check_output_path(options.csv_path);
  check_output_path(options.json_path);
  check_outputs_apart({{"--csv", options.csv_path}, {"--json", options.json_path}}, {base.source});

  sweep::SweepProgress on_progress;
  if (options.progress_bar) on_progress = progress_bar(progress, static_cast<std::size_t>(plan.seeds));
  const auto clear_bar = [&] {
    if (options.progress_bar) progress << "\r" << std::string(60, ' ') << "\r" << std::flush;
  };
  sweep::SweepResult result;
  try {
    // Ctrl-C stops the workers while the sweep runs; before and after, it stops the program.
    const real::InterruptScope interrupt_scope;
    result = jobs > 1 ? sweep::run_sweep_in_processes(plan, jobs, &real::interrupt_flag(), on_progress)
                      : sweep::run_sweep_here(plan, &real::interrupt_flag(), on_progress);
  } catch (...) {
    clear_bar();
    throw;
  }
  clear_bar();

  // An export on standard output replaces the report there, as for gilsim run.
  const bool export_to_stdout = options.csv_path == "-" || options.json_path == "-";
  if (!export_to_stdout) out << render_sweep_report(plan, result, base, options.width.value_or(terminal_width()));
  // Both exports or neither (trace::write_outputs), as for gilsim run.
  std::vector<trace::OutputRequest> outputs;
  if (!options.csv_path.empty()) {
    outputs.push_back({options.csv_path, [&](std::ostream& file) { sweep::write_sweep_csv(file, plan, result); }});
  }
  if (!options.json_path.empty()) {
    outputs.push_back({options.json_path, [&](std::ostream& file) { sweep::write_sweep_json(file, plan, result); }});
  }
  trace::write_outputs(outputs, out);
  if (export_to_stdout) return 0;
  if (!options.csv_path.empty()) out << fmt::format("\nwrote {}\n", options.csv_path);
  if (!options.json_path.empty()) {
    out << fmt::format("{}wrote {}\n", options.csv_path.empty() ? "\n" : "", options.json_path);
  }
  return 0;
}

}  // namespace gilsim::cli

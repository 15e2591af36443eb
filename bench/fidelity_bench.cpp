// How well the model predicts this machine: every run of every bundled scenario (or of the
// files given) simulated and executed for real, with the makespans side by side. Prints
// figures; never fails on accuracy. "free cores" is how many cores' worth two busy threads
// got just before the row's runs: below 2.0, other programs were slowing the measurement.
// "cpu got" is the share of the CPU time its threads needed that the median run really got
// (trace::CpuCheck); below 85% the row is flagged "busy" and left out of the mean error.
// Usage: gilsim_fidelity [FILE.toml...] [--repeat N] [--keep-cores] [--set KEY=VALUE]...
// With --cpython it runs the CPython ground-truth suite instead (cpython_runner.hpp).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <unistd.h>

#include "bench/cpython_runner.hpp"
#include "bench/machine_info.hpp"
#include "sim/model/simulate.hpp"
#include "sim/real/busy_loop.hpp"
#include "sim/real/execute.hpp"
#include "sim/real/model_twin.hpp"
#include "sim/scenario/effective_settings.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/trace/metrics.hpp"

using namespace gilsim;

namespace {

struct Options {
  std::vector<std::string> files;
  std::vector<scenario::Override> overrides;
  int repeat = 3;
  bool keep_cores = false;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--repeat" && i + 1 < argc) {
      o.repeat = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--keep-cores") {
      o.keep_cores = true;
    } else if (arg == "--set" && i + 1 < argc) {
      o.overrides.push_back(scenario::parse_override(argv[++i]));
    } else if (arg == "--help" || arg == "-h") {
      std::puts("gilsim_fidelity [FILE.toml...] [--repeat N] [--keep-cores] [--set KEY=VALUE]...\n"
                "Simulates and runs for real every run of the bundled scenarios (or of FILEs) and prints\n"
                "predicted and measured makespans. Runs are given this machine's cores unless --keep-cores.\n"
                "The measured figure is the median of N runs (default 3).\n"
                "gilsim_fidelity --cpython [--python PATH] [--repeat N]: the CPython suite (--cpython --help).");
      std::exit(0);
    } else {
      o.files.push_back(arg);
    }
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  if (bench::wants_cpython_suite(argc, argv)) return bench::run_cpython_suite(argc, argv);
  const Options options = parse(argc, argv);
  const real::InterruptScope interrupt_scope;  // for the whole program: Ctrl-C stops the current run
  std::vector<scenario::Scenario> scenarios;
  try {
    if (!options.files.empty()) {
      for (const auto& f : options.files) scenarios.push_back(scenario::load_file(f, options.overrides));
    } else {
      const auto bundled = scenario::bundled_scenarios();
      for (const auto& f : bundled) scenarios.push_back(scenario::load_file(f, options.overrides));
      if (bundled.empty()) scenarios.push_back(scenario::load_default(options.overrides));
    }
  } catch (const scenario::ScenarioError& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 2;
  }

  const int cpus = real::available_cpus();
  fmt::print("machine: {}; load average at start {}\n", bench::machine_description(cpus), bench::load_average());
  fmt::print("measured: median of {} real runs; cores: {}\n\n", options.repeat,
             options.keep_cores ? "as in each scenario" : "each run limited to this machine's");
  fmt::print("{:<16} {:<24} {:>5} {:>12} {:>12} {:>8} {:>11} {:>8}\n", "scenario", "run", "cores", "predicted",
             "measured", "error", "free cores", "cpu got");

  double total_abs_error = 0;
  int compared = 0;
  int busy_rows = 0;
  for (auto& s : scenarios) {
    if (!options.keep_cores) scenario::fit_to_machine(s, cpus);
    const std::string name = std::filesystem::path(s.source).stem().string();
    for (const scenario::Run& run : s.runs) {
      const trace::Trace predicted = model::simulate(s, run);
      const double free_cores = real::measure_free_cores(2, Time{30'000'000});
      std::vector<std::pair<Time, trace::CpuCheck>> measured;
      std::string failure;
      for (int r = 0; r < options.repeat && failure.empty(); ++r) {
        try {
          real::ExecuteOptions exec;
          exec.cancel = &real::interrupt_flag();
          const trace::Trace m = real::execute(s, run, exec);
          measured.emplace_back(m.end, m.cpu_check);
        } catch (const real::RealRunError& e) {
          failure = e.what();
          if (e.reason() == real::RealRunError::Reason::Cancelled) {
            fmt::print("interrupted\n");
            return 130;
          }
        }
      }
      const Time p = trace::compute_metrics(predicted).makespan;
      if (!failure.empty()) {
        fmt::print("{:<16} {:<24} {:>5} {:>12} {:>12}  ({})\n", name, run.name, scenario::effective_cores(s, run),
                   format_time(p), "-", failure);
        continue;
      }
      std::sort(measured.begin(), measured.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      const auto& [m, check] = measured[measured.size() / 2];
      const double error = 100.0 * real::prediction_error(p, m);  // the one formula: CLI and viewer too
      const std::string error_text = check.short_of_cpu() ? "busy" : fmt::format("{:+.1f}%", error);
      if (!check.short_of_cpu()) {
        total_abs_error += std::abs(error);
        ++compared;
      } else {
        ++busy_rows;
      }
      fmt::print("{:<16} {:<24} {:>5} {:>12} {:>12} {:>8} {:>11.1f} {:>7.0f}%\n", name, run.name,
                 scenario::effective_cores(s, run), format_time(p), format_time(m), error_text, free_cores,
                 100.0 * check.share());
      std::fflush(stdout);
    }
  }
  if (compared > 0) fmt::print("\nmean absolute error over {} runs: {:.1f}%\n", compared, total_abs_error / compared);
  if (busy_rows > 0) {
    fmt::print("{} runs flagged busy: they got less than {:.0f}% of the CPU their threads needed, so their error is the "
               "machine's load, not the model's\n",
               busy_rows, 100.0 * trace::CpuCheck::kEnough);
  }
  fmt::print("load average at end {}\n", bench::load_average());
  return 0;
}

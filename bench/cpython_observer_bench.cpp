// The recorder's observer effect: the same calibrated CPython runs with and without
// recording, alternated, with the wall time and the CPU time each got and the load around
// them (docs/cpython-traces.md). Prints figures; it is not a test.
//   gilsim_cpython_observer [ROUNDS] [--python PATH]
#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench_arguments.hpp"

#include "sim/cpython/cpython_runs.hpp"
#include "sim/cpython/python_program.hpp"
#include "sim/real/machine_load.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/trace/metrics.hpp"

using namespace gilsim;

namespace {

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

constexpr const char* kUsage =
    "usage: gilsim_cpython_observer [ROUNDS] [--python PATH]\n"
    "Runs lessons 1 and 7's calibrated CPython runs ROUNDS times (1 to 1000, default 5) with and\n"
    "without the recorder, alternated, and prints the medians of wall and CPU time.\n";

int main(int argc, char** argv) {
  int rounds = 5;
  std::string python_path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") bench::print_usage(kUsage);
    if (arg == "--python") {
      if (i + 1 >= argc) bench::refuse("gilsim_cpython_observer", "--python needs the interpreter's path", kUsage);
      python_path = argv[++i];
    } else if (const auto n = bench::whole_number(arg, 1, 1000)) {
      rounds = static_cast<int>(*n);
    } else {
      bench::refuse("gilsim_cpython_observer", "unknown argument '" + arg + "'; expected a number of rounds from 1 to 1000 or --python PATH",
                    kUsage);
    }
  }
  const cpython::Interpreter python = cpython::find_interpreter(python_path);
  fmt::print("CPython {} ({}), {} rounds, load average {:.1f} at the start\n", python.version, python.path, rounds,
             real::load_average().value_or(-1.0));
  fmt::print("{:<28} {:>12} {:>12} {:>9} {:>12} {:>12} {:>9}\n", "lesson / run", "wall plain", "wall rec.", "effect",
             "CPU plain", "CPU rec.", "effect");
  for (const std::string stem : {"01-cpu-bound", "07-convoy"}) {
    const auto s = scenario::load_file(std::string(GILSIM_SOURCE_DIR) + "/scenarios/" + stem + ".toml");
    const auto program = cpython::python_program(s, {});
    const cpython::Calibration calibration = cpython::calibrate(program, python);  // the same work in every run
    for (const auto& run : program.runs) {
      if (run.run->executor == scenario::Executor::ProcessPool) continue;  // CPU time of reaped workers only
      std::vector<double> wall[2], cpu[2];
      for (int round = 0; round < rounds; ++round) {
        for (const bool record : {false, true}) {
          std::string why;
          cpython::CPythonRunInfo info;
          cpython::CPythonOptions options;
          options.record = record;
          options.calibration = calibration;
          const auto t = cpython::record_cpython_run(s, run, program, python, options, why, &info);
          if (!t) continue;
          wall[record].push_back(static_cast<double>(t->end.ns()) / 1e9);
          cpu[record].push_back(static_cast<double>(info.cpu.ns()) / 1e9);
        }
      }
      if (wall[0].empty() || wall[1].empty()) continue;
      const double w0 = median(wall[0]), w1 = median(wall[1]), c0 = median(cpu[0]), c1 = median(cpu[1]);
      fmt::print("{:<28} {:>10.3f} s {:>10.3f} s {:>+8.1f}% {:>10.3f} s {:>10.3f} s {:>+8.1f}%\n",
                 fmt::format("{} / {}", stem.substr(0, 2), run.run->name), w0, w1, 100 * (w1 / w0 - 1), c0, c1,
                 100 * (c1 / c0 - 1));
    }
  }
  // The recorder's own cost on CPU work, measured in one thread, where the load counts least.
  const auto lesson = scenario::load_file(std::string(GILSIM_SOURCE_DIR) + "/scenarios/01-cpu-bound.toml");
  const auto [plain, recorded] = cpython::measure_observer_effect(cpython::python_program(lesson, {}), python);
  fmt::print("compute(20) in one thread, fastest of 25: {} plain, {} recorded: {:+.1f}% CPU time\n", plain, recorded,
             100.0 * (static_cast<double>(recorded.ns()) / static_cast<double>(plain.ns()) - 1));
  fmt::print("load average {:.1f} at the end (medians of {} rounds; effect = recorded / plain - 1)\n",
             real::load_average().value_or(-1.0), rounds);
  return 0;
}

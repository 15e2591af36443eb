// The `python` subcommand and `run --cpython`: the generated program printed, or run by
// python3 and compared with the simulated twin of the scenario on this machine.
#include "sim/cli/python_command.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "sim/cli/python_program.hpp"
#include "sim/cli/run_selection.hpp"
#include "sim/cli/scenario_report.hpp"
#include "sim/cli/terminal_width.hpp"
#include "sim/cli/text_table.hpp"
#include "sim/model/simulate.hpp"
#include "sim/real/model_twin.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/trace/metrics.hpp"

namespace gilsim::cli {

namespace {

std::vector<scenario::Override> parse_overrides(const std::vector<std::string>& texts) {
  std::vector<scenario::Override> overrides;
  for (const auto& text : texts) overrides.push_back(scenario::parse_override(text));
  return overrides;
}

scenario::Scenario load(const std::string& file, const std::vector<scenario::Override>& overrides) {
  return file.empty() ? scenario::load_default(overrides) : scenario::load_file(file, overrides);
}

std::string command_line(const std::string& file, const std::vector<std::string>& run_names) {
  std::string command = "gilsim python";
  if (!file.empty()) command += fmt::format(" {}", std::filesystem::path(file).filename().string());
  for (const auto& name : run_names) {
    command += name.find(' ') == std::string::npos ? fmt::format(" --run {}", name) : fmt::format(" --run '{}'", name);
  }
  return command;
}

struct ProgramResult {
  std::string output;
  int status = 0;
};

/// Writes `program` to a temporary file, runs it with `python` and returns what it printed.
ProgramResult run_python(const std::string& python, const std::string& program) {
  std::string path_template = (std::filesystem::temp_directory_path() / "gilsim-XXXXXX.py").string();
  const int fd = ::mkstemps(path_template.data(), 3);
  if (fd < 0) throw std::runtime_error("cannot create a temporary file for the Python program");
  ::close(fd);
  const std::filesystem::path path = path_template;
  {
    std::ofstream file(path);
    file << program;
    if (!file) {
      std::filesystem::remove(path);
      throw std::runtime_error(fmt::format("cannot write the Python program to '{}'", path.string()));
    }
  }
  const std::string command = fmt::format("'{}' '{}' 2>&1", python, path.string());
  ProgramResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    std::filesystem::remove(path);
    throw std::runtime_error(fmt::format("cannot start '{}'", python));
  }
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) result.output += buffer.data();
  result.status = ::pclose(pipe);
  std::filesystem::remove(path);
  return result;
}

std::string python_version(const std::string& python) {
  const auto result = run_python(python, "import platform\nprint(platform.python_version())\n");
  std::string version = result.output;
  while (!version.empty() && (version.back() == '\n' || version.back() == '\r')) version.pop_back();
  return version;
}

/// Why the twin differs from the file, or empty: "the scenario asks for 4 cores; ...".
std::string core_note(const scenario::Scenario& asked, int cores) {
  std::vector<std::string> notes;
  if (asked.machine.cores != cores) {
    notes.push_back(fmt::format("the scenario asks for {} cores, this machine has {}", asked.machine.cores, cores));
  }
  for (const auto& run : asked.runs) {
    if (run.cores && *run.cores > cores) {
      notes.push_back(fmt::format("run '{}' asks for {} cores, CPython gets {}", run.name, *run.cores, cores));
    }
  }
  return notes.empty() ? std::string{} : fmt::format(" ({})", fmt::join(notes, "; "));
}

std::string comparison_table(const std::vector<const trace::Trace*>& traces,
                             const std::vector<const scenario::Run*>& runs, const std::string& output) {
  const auto measured = parse_run_timings(output);
  TextTable table{{"run", "model", "CPython", "error"}, {false, true, true, true}, {}};
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const double model = static_cast<double>(trace::compute_metrics(*traces[i]).makespan.ns()) / 1e9;
    const auto found = measured.find(runs[i]->name);
    if (found == measured.end()) {
      table.rows.push_back({runs[i]->name, fmt::format("{:.3f} s", model), "skipped", "-"});
      continue;
    }
    const double error = 100.0 * real::prediction_error(model, found->second);  // the one formula
    table.rows.push_back({runs[i]->name, fmt::format("{:.3f} s", model), fmt::format("{:.3f} s", found->second),
                          fmt::format("{:+.0f}%", error)});
  }
  return render_table(table);
}

}  // namespace

std::string find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream folders(path == nullptr ? "" : path);
  std::string folder;
  while (std::getline(folders, folder, ':')) {
    const auto candidate = std::filesystem::path(folder.empty() ? "." : folder) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return {};
}

int print_python_program(const PythonOptions& options, std::ostream& out) {
  const auto s = load(options.file, parse_overrides(options.overrides));
  out << python_program(s, select_runs(s, options.run_names), command_line(options.file, options.run_names));
  return 0;
}

int run_against_cpython(const RunOptions& options, std::ostream& out) {
  if (!options.chrome_trace_path.empty() || !options.csv_path.empty()) {
    throw UsageError("--cpython prints a comparison; run --export-trace or --csv without it");
  }
  const std::string python = find_on_path("python3");
  if (python.empty()) throw std::runtime_error("--cpython needs python3 on PATH, and there is none");
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));

  auto overrides = parse_overrides(options.overrides);
  std::vector<std::string> files = options.files;
  if (files.empty()) files.emplace_back();
  std::vector<scenario::Scenario> asked;
  std::vector<scenario::Scenario> twins;
  std::vector<std::vector<const scenario::Run*>> chosen;
  auto twin_overrides = overrides;
  twin_overrides.push_back({"cores", std::to_string(cores)});
  for (const auto& file : files) {
    asked.push_back(load(file, overrides));
    twins.push_back(load(file, twin_overrides));
  }
  for (const auto& twin : twins) chosen.push_back(select_runs(twin, options.run_names));

  ReportOptions report;
  report.width = options.width.value_or(terminal_width());
  report.timelines = options.timelines;
  const std::string version = python_version(python);
  for (std::size_t i = 0; i < twins.size(); ++i) {
    std::deque<trace::Trace> traces;
    std::vector<const trace::Trace*> runs;
    double predicted = 0.0;
    for (const scenario::Run* run : chosen[i]) {
      runs.push_back(&traces.emplace_back(model::simulate(twins[i], *run)));
      predicted += static_cast<double>(trace::compute_metrics(traces.back()).makespan.ns()) / 1e9;
    }
    if (i > 0) out << "\n";
    out << render_scenario_report(twins[i], runs, report);
    out << fmt::format("\nCPython {} ({}) on this machine's {} cores; the model above ran with --set cores={}{}.\n",
                       version, python, cores, cores, core_note(asked[i], cores));
    out << fmt::format("Running the program of `{}` (the model expects about {:.1f} s of runs, plus calibration)...\n",
                       command_line(files[i], options.run_names), predicted)
        << std::flush;
    const auto result = run_python(python, python_program(twins[i], chosen[i], command_line(files[i], options.run_names)));
    if (result.status != 0) {
      throw std::runtime_error(fmt::format("python3 failed (status {}); its output:\n{}", result.status, result.output));
    }
    std::istringstream lines(result.output);
    double highest_load = 0.0;
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("calibrated:", 0) == 0 || line.find(": skipped (") != std::string::npos) out << "  " << line << "\n";
      const auto load = line.find("load average ");
      if (line.rfind("calibrated:", 0) == 0 && load != std::string::npos) {
        highest_load = std::max(highest_load, std::atof(line.c_str() + load + 13));
      }
    }
    out << "\n" << comparison_table(runs, chosen[i], result.output);
    if (highest_load >= 0.5 * cores) {
      out << fmt::format("Note: other programs kept this machine busy (load average up to {:.1f} on {} cores); "
                         "runs that need the CPU took longer than on a quiet machine.\n",
                         highest_load, cores);
    }
  }
  return 0;
}

}  // namespace gilsim::cli

// `gilsim run`, from options to printed reports and written exports.
#include "sim/cli/run_command.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/cpython/cpython_runs.hpp"
#include "sim/cpython/cpython_trace.hpp"
#include "sim/cli/measured_runs.hpp"
#include "sim/cli/run_selection.hpp"
#include "sim/cpython/python_program.hpp"
#include "sim/cli/scenario_report.hpp"
#include "sim/cli/terminal_width.hpp"
#include "sim/cli/text_wrap.hpp"
#include "sim/model/simulate.hpp"
#include "sim/real/execute.hpp"
#include "sim/real/machine_load.hpp"
#include "sim/real/model_twin.hpp"
#include "sim/scenario/effective_settings.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/scenario/value_in_force.hpp"
#include "sim/trace/atomic_file.hpp"
#include "sim/trace/chrome_export.hpp"
#include "sim/trace/csv_export.hpp"
#include "sim/trace/metrics.hpp"

namespace gilsim::cli {

namespace {

std::vector<scenario::Scenario> load_all(const RunOptions& options) {
  std::vector<scenario::Override> overrides;
  for (const auto& text : options.overrides) overrides.push_back(scenario::parse_override(text));
  std::vector<scenario::Scenario> scenarios;
  if (options.files.empty()) scenarios.push_back(scenario::load_default(overrides));
  for (const auto& file : options.files) scenarios.push_back(scenario::load_file(file, overrides));
  return scenarios;
}

}  // namespace

std::vector<std::string> export_prefixes(const std::vector<scenario::Scenario>& scenarios) {
  namespace fs = std::filesystem;
  // Each file by its identity first: "./s.toml", "s.toml" and a symlink to it are one file.
  std::vector<fs::path> files;  // distinct, each as its canonical path
  std::vector<std::size_t> file_of;
  for (const scenario::Scenario& s : scenarios) {
    std::error_code error;
    fs::path canonical = fs::weakly_canonical(fs::absolute(s.source, error), error);
    if (error || canonical.empty()) canonical = s.source;
    std::size_t f = 0;
    while (f < files.size() && !(files[f] == canonical || fs::equivalent(files[f], canonical, error))) ++f;
    if (f == files.size()) files.push_back(canonical);
    file_of.push_back(f);
  }
  // Each distinct file's name, with as many of its folders as tell it apart from the other
  // files of that name ("s", then "a/s" and "b/s", then "x/a/s" and "y/a/s").
  const auto named = [&](std::size_t f, std::size_t folders) {
    std::string name = files[f].stem().string();
    if (name.empty()) return files[f].string();
    fs::path folder = files[f].parent_path();
    for (std::size_t k = 0; k < folders && !folder.filename().empty(); ++k) {
      name = folder.filename().string() + "/" + name;
      folder = folder.parent_path();
    }
    return name;
  };
  std::vector<std::string> names;
  for (std::size_t f = 0; f < files.size(); ++f) {
    std::size_t folders = 0;
    const auto clashes = [&] {
      for (std::size_t g = 0; g < files.size(); ++g) {
        if (g != f && named(g, folders) == named(f, folders)) return true;
      }
      return false;
    };
    while (clashes() && folders < 64) ++folders;
    names.push_back(clashes() ? files[f].string() : named(f, folders));
  }
  // One file given twice: numbered from its second time ("01-cpu-bound #2").
  std::vector<std::string> prefixes;
  std::vector<int> times(files.size(), 0);
  for (const std::size_t f : file_of) {
    prefixes.push_back(++times[f] > 1 ? fmt::format("{} #{}", names[f], times[f]) : names[f]);
  }
  return prefixes;
}

namespace {

/// An export to "-" takes standard output for itself: no report is printed there.
bool exports_to_stdout(const RunOptions& options) {
  return options.chrome_trace_path == "-" || options.csv_path == "-";
}

void write_exports(const RunOptions& options, const std::vector<const trace::Trace*>& traces, std::ostream& out) {
  std::vector<trace::OutputRequest> outputs;
  if (!options.chrome_trace_path.empty()) {
    outputs.push_back({options.chrome_trace_path, [&](std::ostream& file) { trace::write_chrome_trace(file, traces); }});
  }
  if (!options.csv_path.empty()) {
    outputs.push_back({options.csv_path, [&](std::ostream& file) { trace::write_spans_csv(file, traces); }});
  }
  trace::write_outputs(outputs, out);
  if (exports_to_stdout(options)) return;
  if (!options.chrome_trace_path.empty()) {
    out << fmt::format("wrote {} (open it in https://ui.perfetto.dev or chrome://tracing)\n",
                       options.chrome_trace_path);
  }
  if (!options.csv_path.empty()) out << fmt::format("wrote {}\n", options.csv_path);
}

/// "Every run did the same work: LOOPS_PER_MS = 25,314, measured once for all of them".
std::string calibration_words(const cpython::Calibration& c) {
  std::vector<std::string> words;
  if (c.loops_per_ms > 0) words.push_back(fmt::format("LOOPS_PER_MS = {}", c.loops_per_ms));
  if (c.bytes_per_ms > 0) words.push_back(fmt::format("BYTES_PER_MS = {}", c.bytes_per_ms));
  if (words.empty()) return "Every run did the same work (its program has no compute() or hash_data() to calibrate)";
  return fmt::format("Every run did the same work: {}, measured once for all of them", fmt::join(words, ", "));
}

/// Which interpreter recorded the runs (`recorded` of them), and how to read the CPython lanes.
std::string cpython_note(const cpython::Interpreter& python, const scenario::Scenario& s, const std::vector<std::string>& runs,
                         const cpython::Calibration& calibration, std::size_t recorded) {
  std::vector<std::string> words{"gilsim python"};
  if (!s.source.empty()) words.push_back(std::filesystem::path(s.source).filename().string());
  for (const auto& name : runs) words.push_back(fmt::format("--run '{}'", name));
  const std::string command = fmt::format("{}", fmt::join(words, " "));
  const auto load = real::load_average();
  const std::string interpreter =
      fmt::format("CPython {} ({}{})", python.version, python.path, python.free_threaded ? ", a free-threaded build" : "");
  const std::string machine = fmt::format("Load average {} on {} cores.\n",
                                          load ? fmt::format("{:.1f}", *load) : std::string("unknown"),
                                          real::available_cpus());
  if (recorded == 0) return fmt::format("{} ran none of the runs of `{}`, for the reasons below. {}", interpreter, command, machine);
  return fmt::format(
      "{} ran the program of `{}` under gilsim's recorder; the GIL lanes of its runs are inferred from when each "
      "thread ran Python, and their drop requests, made inside CPython's C code, are not seen: '-' "
      "(docs/cpython-traces.md). {}. {}",
      interpreter, command, calibration_words(calibration), machine);
}

/// Said right under the run table when `--real` or `--cpython` changed the predictions from
/// the file's: `machine` (fewer cores), `fitted` (costs from this machine's probes), and what
/// the model predicts for the file as it is (`as_loaded`, not fitted), the figures a lesson
/// page states. Empty when nothing changed.
std::string changed_predictions(const std::optional<std::string>& machine, bool fitted, const scenario::Scenario& as_loaded,
                                const std::vector<const scenario::Run*>& runs, std::uint64_t max_events) {
  if (!machine && !fitted) return {};
  std::vector<std::string> figures;
  for (const scenario::Run* run : runs) {
    const auto same = std::find_if(as_loaded.runs.begin(), as_loaded.runs.end(),
                                   [&](const scenario::Run& r) { return r.name == run->name; });
    if (same == as_loaded.runs.end()) continue;
    const trace::Trace t = model::simulate(as_loaded, *same, nullptr, max_events);
    figures.push_back(fmt::format("{} {}", run->name, format_time(trace::compute_metrics(t).makespan)));
  }
  std::string out = machine ? *machine : std::string("The model predicts for this machine.");
  if (fitted) out += " Its process starts and pickling are fitted to this machine too (the line above the comparison below).";
  if (!figures.empty()) {
    out += fmt::format(" For the file as it is ({} core{}, the model's own costs) it predicts {}.", as_loaded.machine.cores,
                       as_loaded.machine.cores == 1 ? "" : "s", fmt::join(figures, ", "));
  }
  return out + "\n";
}

/// Whether two output paths lead to one file, existing or to be made.
bool same_file(const std::string& a, const std::string& b) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (fs::equivalent(a, b, error)) return true;  // both exist
  const fs::path first = fs::weakly_canonical(fs::absolute(a), error);
  if (error) return a == b;
  const fs::path second = fs::weakly_canonical(fs::absolute(b), error);
  return error ? a == b : first == second;
}

}  // namespace

void check_outputs_apart(const std::vector<NamedOutput>& outputs, const std::vector<std::string>& inputs) {
  for (const NamedOutput& output : outputs) {
    for (const std::string& input : inputs) {
      if (auto refused = trace::output_replaces_input(output.option, output.path, input)) throw UsageError(*refused);
    }
  }
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    for (std::size_t j = i + 1; j < outputs.size(); ++j) {
      const NamedOutput& a = outputs[i];
      const NamedOutput& b = outputs[j];
      if (a.path.empty() || b.path.empty()) continue;
      if (a.path == "-" && b.path == "-") {
        throw UsageError(fmt::format("{} - and {} - would both write to standard output; send one to a file",
                                     a.option, b.option));
      }
      if (a.path == "-" || b.path == "-" || !same_file(a.path, b.path)) continue;
      throw UsageError(fmt::format("{} '{}' and {} '{}' name the same file, and the one written last would "
                                   "replace the other; give each a file of its own",
                                   a.option, a.path, b.option, b.path));
    }
  }
}

int run_scenarios(const RunOptions& options, std::ostream& out, std::ostream* progress) {
  // Everything is checked before anything is simulated or printed.
  std::vector<scenario::Scenario> scenarios = load_all(options);
  if (options.cpython && (options.real || options.real_only)) {
    throw UsageError("--cpython and --real measure different things; ask for one at a time");
  }
  const bool measure = options.real || options.real_only || options.cpython;
  // The files as they are, for the runs whose names a --set or this machine's fit makes wrong
  // ("pool of 4" with 2 workers): lesson 1's pool fitted to 2 cores read "process pool" here and
  // "process pool (2 workers)" in the viewer.
  std::vector<scenario::Scenario> written;
  if (!options.overrides.empty() || measure) {
    RunOptions as_written = options;
    as_written.overrides.clear();
    written = load_all(as_written);
  }
  std::vector<std::optional<std::string>> machine_notes(scenarios.size());
  // The files as they are, before this machine's fit: what their lessons' figures are of.
  std::vector<scenario::Scenario> as_loaded;
  if (measure && !options.real_only) as_loaded = scenarios;
  if (measure) {
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
      const auto fitted_for = options.real_only ? scenario::FittedFor::MeasuredRunsOnly : scenario::FittedFor::Prediction;
      machine_notes[i] = scenario::fit_to_machine(scenarios[i], real::available_cpus(), fitted_for);
    }
  }
  std::vector<std::vector<const scenario::Run*>> chosen;
  for (const auto& s : scenarios) chosen.push_back(select_runs(s, options.run_names));
  check_output_path(options.chrome_trace_path);
  check_output_path(options.csv_path);
  std::vector<std::string> read;
  for (const auto& s : scenarios) read.push_back(s.source);
  check_outputs_apart({{"--export-trace", options.chrome_trace_path}, {"--csv", options.csv_path}}, read);
  std::vector<std::pair<const scenario::Scenario*, const scenario::Run*>> simulated;
  if (!options.real_only) {
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
      for (const scenario::Run* run : chosen[i]) simulated.emplace_back(&scenarios[i], run);
    }
  }
  // Each run is held to the limit on its own, as the viewer holds it (work_budget.hpp).
  model::check_work(simulated, options.max_events, "raise the limit with --max-events N");
  // With an export on standard output, the reports are computed but not printed.
  std::ostringstream unprinted;
  std::ostream& report_out = exports_to_stdout(options) ? unprinted : out;
  std::optional<cpython::Interpreter> python;
  if (options.cpython) {
    const real::InterruptScope interrupt_scope;  // Ctrl-C during the probe: its folder goes too
    python = cpython::find_interpreter(options.python);
    if (real::interrupt_flag()) throw Interrupted("interrupted while looking for the Python interpreter");
  }

  ReportOptions report;
  report.width = options.width.value_or(terminal_width());
  report.timelines = options.timelines;
  report.overrides = options.overrides;
  std::deque<trace::Trace> traces;  // stable addresses for the exports
  // One calibration for every CPython run of the command: each does the same work for the
  // same planned milliseconds, whatever the host's speed did between them.
  std::optional<cpython::Calibration> calibration;
  std::vector<const trace::Trace*> all_runs;
  const std::vector<std::string> prefixes = export_prefixes(scenarios);
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    std::vector<trace::Trace*> predicted, measured, runs;
    std::vector<std::string> not_measured;
    std::map<std::string, std::string> unscored;
    std::vector<std::string> time_notes;  // where a CPython run's time went, under the table
    std::optional<std::string> fitted;    // what the prediction took from this machine's probes
    const cpython::PythonProgram program = python ? cpython::python_program(scenarios[i], chosen[i]) : cpython::PythonProgram{};
    const auto recorded = [&](const cpython::ProgramRun& r) { return !cpython::why_not_recorded(scenarios[i], r, *python); };
    const std::size_t recorded_runs =
        python ? static_cast<std::size_t>(std::count_if(program.runs.begin(), program.runs.end(), recorded)) : 0;
    if (recorded_runs > 0) {  // nothing to calibrate for runs that are not recorded
      const real::InterruptScope interrupt_scope;
      try {
        calibration = cpython::calibrate_missing(
            calibration, program, *python,
            cpython::CPythonOptions{.timeout_seconds = options.timeout_seconds, .cancel = &real::interrupt_flag()});
      } catch (const cpython::CPythonRunCancelled& e) {
        throw Interrupted(e.what());
      }
      // The prediction is the model's for this machine: its process starts and pickling (P4e, P7c).
      const auto machine = cpython::measured_machine(*calibration, program, real::available_cpus());
      scenario::fit_to_machine(scenarios[i], machine);
      fitted = scenario::fitted_line(machine);
    }
    for (std::size_t k = 0; k < chosen[i].size(); ++k) {
      const scenario::Run* run = chosen[i][k];
      if (!options.real_only) {
        predicted.push_back(&traces.emplace_back(model::simulate(scenarios[i], *run, nullptr, options.max_events)));
        if (!written.empty()) predicted.back()->in_force = scenario::value_in_force(written[i], scenarios[i], *run);
      }
      if (!measure) continue;
      std::string why;
      std::optional<trace::Trace> trace;
      if (python) {
        cpython::CPythonRunInfo info;
        {
          const real::InterruptScope interrupt_scope;  // Ctrl-C stops the recording, then the program
          try {
            const cpython::CPythonOptions recording{.timeout_seconds = options.timeout_seconds, .progress = progress,
                                                    .cancel = &real::interrupt_flag(), .calibration = calibration};
            trace = cpython::record_cpython_run(scenarios[i], program.runs[k], program, *python, recording, why, &info);
          } catch (const cpython::CPythonRunCancelled& e) {
            throw Interrupted(e.what());
          }
          if (real::interrupt_flag()) {
            throw Interrupted(fmt::format("interrupted during the CPython run '{}'", run->name));
          }
        }
        if (trace) {
          // A run that other programs starved of its cores is judged with the rest
          // (real::judge, in render_prediction_table), gilsim's executor's runs too.
          if (auto note = cpython::unseen_note(*trace)) {
            unscored[run->name] = *note;
          } else if (auto own = real::own_waits_note(*trace)) {
            time_notes.push_back(fmt::format("'{}': {}.", run->name, *own));  // scored: the waits are its own
          }
          if (auto note = cpython::outside_jobs_note(*trace, info.cpu)) time_notes.push_back(fmt::format("'{}': {}.", run->name, *note));
        }
      } else {
        trace = measure_run(scenarios[i], *run, MeasureOptions{options.timeout_seconds, progress}, why);
      }
      if (trace) {
        if (!written.empty()) trace->in_force = scenario::value_in_force(written[i], scenarios[i], *run);
        measured.push_back(&traces.emplace_back(std::move(*trace)));
      } else {
        not_measured.push_back(why);  // it names the run and the limit
      }
    }
    // Each measured run sits right under its prediction.
    for (trace::Trace* p : predicted) {
      runs.push_back(p);
      for (trace::Trace* m : measured) {
        if (m->run_name == p->run_name) runs.push_back(m);
      }
    }
    if (options.real_only) runs = measured;
    if (i > 0) report_out << "\n";
    report.under_table = !measure || options.real_only ? std::string()
                                                       : changed_predictions(machine_notes[i], fitted.has_value(), as_loaded[i],
                                                                 chosen[i], options.max_events);
    report.written = options.overrides.empty() ? nullptr : &written[i];
    report_out << render_scenario_report(scenarios[i], {runs.begin(), runs.end()}, report);
    if (measure) {
      report_out << "\n";
      std::string notes;
      if (options.real_only && machine_notes[i]) notes += *machine_notes[i] + "\n";  // else under the table
      // With no prediction there is no comparison to say why a run is not scored: said here.
      for (const trace::Trace* m : options.real_only ? measured : std::vector<trace::Trace*>{}) {
        if (const auto why = real::starved_note(*m)) notes += fmt::format("'{}': {}\n", m->run_name, *why);
      }
      if (fitted) notes += *fitted + "\n";
      if (python) notes += cpython_note(*python, scenarios[i], options.run_names, calibration.value_or(cpython::Calibration{}),
                                        recorded_runs);
      for (const auto& line : not_measured) notes += line + "\n";
      report_out << wrap_text(notes, report.width);
      report_out << render_prediction_table({predicted.begin(), predicted.end()}, {measured.begin(), measured.end()},
                                            unscored, report.width);
      for (const auto& note : time_notes) report_out << wrap_text(note + "\n", report.width);
    }
    if (options.chrome_trace_path.empty() && options.csv_path.empty()) {
      traces.clear();  // nothing reads a printed scenario's traces again
      continue;
    }
    for (trace::Trace* t : runs) {
      // In a file with several scenarios' runs, "threads" alone would be ambiguous.
      if (scenarios.size() > 1) t->run_name = fmt::format("{}: {}", prefixes[i], t->run_name);
      all_runs.push_back(t);
    }
  }
  if (!all_runs.empty() && (!options.chrome_trace_path.empty() || !options.csv_path.empty())) report_out << "\n";
  write_exports(options, all_runs, out);
  return 0;
}

}  // namespace gilsim::cli

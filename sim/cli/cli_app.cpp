// Options of `gilsim`, `gilsim run` and `gilsim list`, and the exit codes.
#include "sim/cli/cli_app.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "sim/cli/list_command.hpp"
#include "sim/cli/python_command.hpp"
#include "sim/cli/run_command.hpp"
#include "sim/cli/sweep_command.hpp"
#include "sim/cli/unexpected_arguments.hpp"
#include "sim/cpython/cpython_runs.hpp"
#include "sim/scenario/bundled_names.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/scenario/name_suggestions.hpp"
#include "sim/sweep/sweep_plan.hpp"
#include "sim/sweep/sweep_results.hpp"

#include <iostream>

#include <unistd.h>

namespace gilsim::cli {

namespace {

constexpr const char* kExamples =
    "Examples:\n"
    "  gilsim                                   the built-in scenario, every run\n"
    "  gilsim run scenarios/default.toml --set cores=2 --set switch_interval=1ms\n"
    "  gilsim run --run threads --run asyncio --width 120\n"
    "  gilsim run --no-timeline --export-trace runs.json --csv spans.csv\n"
    "  gilsim sweep scenarios/20-sweep-pool-size.toml --vary workers=1..16\n\n";

/// The exit codes of `gilsim` itself (any subcommand's), and of each subcommand: each help
/// names only what that command can meet.
constexpr const char* kExitCodes =
    "Exit codes: 0 success; 2 bad input (a scenario file, a --set or --vary value, an option,\n"
    "a run name, a run over the work budget of --max-events, or the sweep's limits); 1 any\n"
    "other failure (for example an output file that cannot be written); 130 interrupted (Ctrl-C).";
constexpr const char* kRunExitCodes =
    "Exit codes: 0 success; 2 bad input (a scenario file, a --set value, an option, a run name,\n"
    "a --python that is no working Python 3, or a run over the work budget of --max-events);\n"
    "1 any other failure (for example an output file that cannot be written, or a real run that\n"
    "failed); 130 interrupted (Ctrl-C).";
constexpr const char* kSweepExitCodes =
    "Exit codes: 0 success; 2 bad input (a scenario file, a --set or --vary value, an option,\n"
    "a run name, or a sweep over 10,000 simulations or the memory budget); 1 any other failure\n"
    "(for example an output file that cannot be written); 130 interrupted (Ctrl-C), nothing written.";
constexpr const char* kPythonExitCodes =
    "Exit codes: 0 success; 2 bad input (a scenario file, a --set value, an option, a run name);\n"
    "1 any other failure (for example standard output that cannot be written).";
constexpr const char* kListExitCodes =
    "Exit codes: 0 success; 2 an unknown option; 1 standard output that cannot be written.";

/// A whole number from `lo` to `hi`. CLI::Range says "Value abc not in range 40 to 100000"
/// of a value that is no number at all, and of 40.5; this says what was expected.
CLI::Validator whole_number(std::uint64_t lo, std::uint64_t hi) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        // Leading spaces (" 60") are what the conversion after this check skips too.
        const std::string number = text.substr(std::min(text.size(), text.find_first_not_of(' ')));
        const bool digits = !number.empty() && number.size() <= 19 &&
                            number.find_first_not_of("0123456789") == std::string::npos;
        const std::uint64_t value = digits ? std::strtoull(number.c_str(), nullptr, 10) : 0;
        if (!digits || value < lo || value > hi) {
          return fmt::format("'{}' is not a whole number from {} to {}", text, lo, hi);
        }
        return {};
      },
      "");
}

/// An output's path: not empty (a script's unset $OUT made `--csv ''`, which wrote nothing and
/// said nothing).
CLI::Validator output_file() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        return text.empty() ? "'' is no file name; expected a file, or - for standard output" : std::string();
      },
      "");
}

void add_run_options(CLI::App& run, RunOptions& options) {
  run.add_option("files", options.files,
                 "Scenario files (TOML) to run, one after the other, or bundled lessons by name or number (07-convoy, "
                 "07: gilsim list); none runs the built-in default")
      ->type_name("FILE");
  run.add_option("--set", options.overrides,
                 "Override a scenario value before it is checked, e.g. --set cores=2 or "
                 "--set python.switch_interval=1ms; repeatable")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  run.add_option("--run", options.run_names, "Only the run with this name; repeatable")
      ->type_name("NAME")
      ->allow_extra_args(false);
  run.add_option("--export-trace", options.chrome_trace_path,
                 "Write every run to a Chrome Trace Event file for ui.perfetto.dev or chrome://tracing")
      ->type_name("FILE.json")
      ->check(output_file());
  run.add_option("--csv", options.csv_path, "Write every span of every run as CSV")
      ->type_name("FILE.csv")
      ->check(output_file());
  run.add_option("--width", options.width, "Columns for the note and the timelines, at least 40 (default: $COLUMNS, else the terminal's, else 100)")
      ->type_name("N")
      ->check(whole_number(40, 100000));
  run.add_option("--max-events", options.max_events,
                 fmt::format("Events the model may process for each run, estimated before it starts "
                             "and counted while it runs (default {}, about 1.5 GB of trace; the viewer's limit)",
                             model::kDefaultMaxEvents))
      ->type_name("N")
      ->check(whole_number(1, std::uint64_t{1} << 40));
  run.add_flag_callback("--no-timeline", [&options] { options.timelines = false; },
                        "Print the table without the text timelines");
  run.add_flag("--real", options.real,
               "Also run every run for real on this machine (threads on a real GIL, a real event loop, "
               "worker processes) and print the prediction error; the model then uses this machine's cores");
  run.add_flag("--real-only", options.real_only, "Only the real runs, no simulation");
  run.add_option("--timeout", options.timeout_seconds, "Seconds a real run may take before it is stopped (default 120)")
      ->type_name("SECONDS")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            // CLI::Range lets "nan" through: NaN compares false with both bounds.
            char* end = nullptr;
            const double value = std::strtod(text.c_str(), &end);
            if (end == text.c_str() || *end != '\0' || !std::isfinite(value) || value < 0.1 || value > 3600.0) {
              return "expected a number of seconds from 0.1 to 3600";
            }
            return {};
          },
          ""));
}

void add_sweep_options(CLI::App& sweep, SweepOptions& options) {
  sweep.add_option("file", options.file, "Scenario file (TOML) or bundled lesson (07-convoy, 07); none sweeps the built-in default")->type_name("FILE");
  sweep.add_option("--vary", options.vary,
                   "A key --set accepts and its values: a list (workers=1,2,4,8), a range with a step "
                   "(workers=1..16, switch_interval=1ms..10ms:1ms) or a log range (switch_interval=1ms..64ms*2); "
                   "keys that move together are joined with ';'. Repeatable: the grid is every combination")
      ->type_name("KEY=VALUES")
      ->allow_extra_args(false)
      ->required();
  sweep.add_option("--set", options.overrides, "Override a scenario value before the grid's values, as for run; repeatable")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  sweep.add_option("--run", options.run_names, "Only the run with this name; repeatable (speed-up stays against the first run)")
      ->type_name("NAME")
      ->allow_extra_args(false);
  sweep.add_option("--seeds", options.seeds, "Simulate each grid point with N seeds, 1 to 1000 (the scenario's, then the "
                                             "next ones), and show the mean and standard deviation")
      ->type_name("N")
      ->check(whole_number(1, 1000));
  sweep.add_option("--metric", options.metric,
                   "What the charts plot: speedup (against the first run, the default), gil-wait (all threads' "
                   "waits for the GIL added up: lesson 7's convoy against the interval) or lost-updates (the "
                   "updates the scenario's [counters] lost, lesson 15)")
      ->type_name("METRIC");
  sweep.add_option("--jobs", options.jobs, "Worker processes, 1 to 256 (default: this machine's cores); the output is "
                                           "the same for any number")
      ->type_name("N")
      ->check(whole_number(1, 256));
  sweep.add_option("--csv", options.csv_path, "Write one row per run x grid point x seed as CSV")
      ->type_name("FILE.csv")
      ->check(output_file());
  sweep.add_option("--json", options.json_path, "Write the same rows as JSON")->type_name("FILE.json")->check(output_file());
  sweep.add_option("--width", options.width, "Columns for the report (its heading, tables and charts), at least 40 (default: $COLUMNS, else the terminal's, else 100)")
      ->type_name("N")
      ->check(whole_number(40, 100000));
}

/// A command-line mistake in one line (CLI11 adds "Run with --help" on a second), with the
/// help that fixes it. An option of a subcommand written before it (`gilsim --width 120`)
/// says where it goes.
std::string usage_error(const CLI::App& app, const CLI::ParseError& e, int argc, const char* const* argv) {
  const std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
  const CLI::App* given = nullptr;
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->parsed() && given == nullptr) given = sub;
  }
  for (const std::string& arg : args) {
    if (given != nullptr && arg == given->get_name()) break;  // options after the subcommand are its own
    if (!arg.starts_with("--") || arg == "--") continue;
    const std::string option = option_named(arg);
    if (app.get_option_no_throw(option) != nullptr) continue;
    for (const CLI::App* sub : app.get_subcommands({})) {
      if (sub->get_option_no_throw(option) == nullptr || (given != nullptr && sub != given)) continue;
      std::string command = "gilsim " + sub->get_name();
      bool moved = false;
      for (const std::string& word : args) {
        if (!moved && word == sub->get_name()) {
          moved = true;
          continue;
        }
        command += " " + word;
      }
      return fmt::format("gilsim: {} is an option of `gilsim {}`, not of gilsim itself: options go after the subcommand, "
                         "as in `{}`",
                         option, sub->get_name(), scenario::printable(command));
    }
  }
  // A first word that is no subcommand: a typo of one ("runn"), or a file without `run`.
  if (given == nullptr && !args.empty() && !args.front().starts_with("-")) {
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
    const std::vector<std::string_view> views(names.begin(), names.end());
    const std::string& word = args.front();
    std::string hint;
    if (const auto near = scenario::closest_name(word, views)) {
      hint = fmt::format("; did you mean `gilsim {}`?", *near);
    } else if (word.ends_with(".toml") || std::isdigit(static_cast<unsigned char>(word.front())) != 0) {
      hint = fmt::format("; to run a scenario: `gilsim run {}`", scenario::printable(word));
    }
    return fmt::format("gilsim: '{}' is not a command{} (the commands: {}; see `gilsim --help`)",
                       scenario::printable(word), hint, scenario::join_names(views));
  }
  const std::string help_command = fmt::format("gilsim{} --help", given ? " " + given->get_name() : std::string());
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    // `gilsim sweep 20 --vary workers=1..3 --max-events 5` said "not expected: 5 --max-events".
    const std::vector<std::string> extras = given != nullptr ? unexpected_words(*given, &app) : unexpected_words(app);
    std::string elsewhere;
    if (!extras.empty() && extras.front().starts_with("--")) {
      const std::string option = option_named(extras.front());
      for (const CLI::App* sub : app.get_subcommands({})) {
        if (sub == given || sub->get_option_no_throw(option) == nullptr) continue;
        elsewhere = fmt::format(", but of `gilsim {}`", sub->get_name());
        break;
      }
    }
    const std::string command = given != nullptr ? fmt::format("`gilsim {}`", given->get_name()) : "gilsim";
    return unexpected_arguments(extras, command, "gilsim", elsewhere, help_command);
  }
  std::string what = scenario::printable(e.what());
  const std::string help = fmt::format("see `{}`", help_command);
  // "--width: 'abc' is not a whole number ...": the option leads, as `--set KEY=VALUE: ...` does.
  if (what.starts_with("--") && what.find(':') < what.find(' ')) return fmt::format("{}; {}", what, help);
  if (!what.empty()) what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
  return fmt::format("gilsim: {}; {}", what, help);
}

}  // namespace

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"gilsim: how CPython runs concurrent work (threads under the GIL, asyncio, process pools),\n"
               "simulated from a scenario file and shown as a table and a timeline per run.\n"
               "With no subcommand, runs the built-in default scenario.",
               "gilsim"};
  app.footer(std::string(kExamples) + kExitCodes);
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", fmt::format("gilsim {}", GILSIM_VERSION), "Print the version and exit");

  RunOptions run_options;
  CLI::App* run = app.add_subcommand("run", "Simulate scenarios and print each run's figures and timeline");
  run->footer(std::string(kExamples) + kRunExitCodes);
  add_run_options(*run, run_options);
  CLI::Option* cpython_flag = run->add_flag("--cpython", run_options.cpython,
                "Also run each run of the scenario's Python program (see `gilsim python`) in CPython under "
                "gilsim's recorder: its threads, tasks, workers and inferred GIL appear under the prediction, "
                "which uses this machine's cores");
  run->add_option("--python", run_options.python,
                  "The interpreter for --cpython (default: Debian's /usr/bin/python3, else python3 on PATH); "
                  "a free-threaded build (python3.13t) also measures the runs without a GIL")
      ->type_name("PATH")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            // Empty (a script's unset variable) silently meant the default interpreter.
            return text.empty() ? "'' is no interpreter; expected a path such as /usr/bin/python3" : std::string();
          },
          ""))
      // Without --cpython it would run nothing: said, not ignored.
      ->needs(cpython_flag);

  SweepOptions sweep_options;
  CLI::App* sweep = app.add_subcommand(
      "sweep", "Simulate a scenario over a grid of values and chart each run's speed-up (see docs/sweeps.md)");
  add_sweep_options(*sweep, sweep_options);
  sweep->footer(std::string("Example:\n  gilsim sweep scenarios/20-sweep-pool-size.toml --vary workers=1..16 --csv sweep.csv\n\n") +
                kSweepExitCodes);

  CLI::App* list = app.add_subcommand("list", "List the bundled scenarios with their titles");
  list->footer(kListExitCodes);

  PythonOptions python_options;
  CLI::App* python = app.add_subcommand(
      "python", "Print a runnable Python 3 program that does the scenario's runs and times each one");
  python->add_option("file", python_options.file, "Scenario file (TOML) or bundled lesson (07-convoy, 07); none prints the built-in default")
      ->type_name("FILE");
  python->add_option("--set", python_options.overrides, "Override a scenario value, as for run; repeatable")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  python->add_option("--run", python_options.run_names, "Only the run with this name; repeatable")
      ->type_name("NAME")
      ->allow_extra_args(false);
  python->footer(kPythonExitCodes);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e, out, err);  // --help, --version
    err << usage_error(app, e, argc, argv) << "\n";
    return kExitBadInput;
  }

  // A bundled lesson may be named the short way ("07-convoy", "07") from any folder.
  for (std::string& file : run_options.files) file = scenario::resolve_scenario_name(file);
  sweep_options.file = scenario::resolve_scenario_name(sweep_options.file);
  python_options.file = scenario::resolve_scenario_name(python_options.file);

  // Progress lines are redrawn with '\r': only on a terminal, never into a log or a pipe.
  const bool on_a_terminal = &err == &std::cerr && ::isatty(STDERR_FILENO) == 1;
  int code = kExitOk;
  try {
    if (list->parsed()) {
      code = list_scenarios(scenario::bundled_scenarios(), out);
    } else if (python->parsed()) {
      code = print_python_program(python_options, out);
    } else if (sweep->parsed()) {
      sweep_options.progress_bar = on_a_terminal;
      code = run_sweep(sweep_options, out, err);
    } else {
      code = run_scenarios(run_options, out, on_a_terminal ? &err : nullptr);
    }
  } catch (const scenario::ScenarioError& e) {
    err << e.what() << "\n";
    return kExitBadInput;
  } catch (const model::WorkLimitExceeded& e) {
    err << "gilsim: " << scenario::printable(e.what()) << "\n";
    return kExitBadInput;
  } catch (const cpython::InterpreterError& e) {
    err << "gilsim: " << scenario::printable(e.what()) << "\n";
    return kExitBadInput;
  } catch (const sweep::SweepRefused& e) {
    err << "gilsim: " << scenario::printable(e.what()) << "\n";
    return kExitBadInput;
  } catch (const sweep::SweepCancelled&) {
    err << "gilsim: interrupted; every worker stopped, nothing written\n";
    return kExitInterrupted;
  } catch (const UsageError& e) {
    err << "gilsim: " << scenario::printable(e.what()) << "\n";
    return kExitBadInput;
  } catch (const Interrupted& e) {
    err << "gilsim: " << e.what() << "\n";
    return kExitInterrupted;
  } catch (const std::bad_alloc&) {
    // Not std::bad_alloc's own words: what ran out, and what to change.
    err << "gilsim: out of memory: the runs' traces need more memory than this process may use; try fewer or "
           "shorter jobs, one run at a time (--run NAME), or a lower --max-events N to be refused before the work\n";
    return kExitFailure;
  } catch (const std::exception& e) {
    err << "gilsim: " << scenario::printable(e.what()) << "\n";
    return kExitFailure;
  }
  // As coreutils do: output that could not be written is a failure, not a success.
  out.flush();
  if (!out) {
    err << fmt::format("gilsim: cannot write to standard output ({})\n", std::strerror(errno));
    return kExitFailure;
  }
  return code;
}

}  // namespace gilsim::cli

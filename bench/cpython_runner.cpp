// `gilsim_fidelity --cpython`: the CPython programs run for real, measured honestly on a busy
// machine (free cores probed before each run, CPU time from getrusage), then scored.
#include "bench/cpython_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "bench/cpython_suite.hpp"
#include "bench/machine_info.hpp"
#include "sim/cpython/cpython_runs.hpp"
#include "sim/cpython/machine_probes.hpp"
#include "sim/cpython/scheduler_group.hpp"
#include "sim/real/busy_loop.hpp"
#include "sim/real/execute.hpp"
#include "sim/scenario/effective_settings.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/trace/atomic_file.hpp"

namespace gilsim::bench {

namespace {

using cpython::describe;
using cpython::join_own_scheduler_group;
using cpython::SchedulerGroup;

using fidelity::SuiteError;

struct Options {
  std::string python;
  int repeat = 3;
  std::string suite = GILSIM_SOURCE_DIR "/fidelity/suite.toml";
  std::string output = GILSIM_SOURCE_DIR "/docs/fidelity-cpython.md";
  bool write_doc = true;
  bool quick = false;
  std::vector<std::string> only;
  std::string raw;  ///< a file for every program's JSON line, with what the runner saw
  double timeout_seconds = fidelity::kProgramTimeoutSeconds;
  bool model_only = false;                    ///< print the model's predictions, run no Python
  bool output_given = false;                  ///< --output: with --model-only, a page of predictions
  bool wake_fit = false;                      ///< --wake-fit: each round's predictions on its measured wake-ups (G8, G2a)
  bool start_fit = true;                      ///< false: --no-start-fit, the model's own process start costs (P4e)
  std::vector<scenario::Override> overrides;  ///< --set, for the model's scenarios (with --model-only)
  std::string measurements;  ///< the measurements written with the page (fidelity/measured.jsonl)
  std::string replay;        ///< --replay FILE: the page again from those measurements, no Python run
};

constexpr const char* kUsage =
    "gilsim_fidelity --cpython [--python PATH] [--repeat N] [--no-doc] [--output FILE]\n"
    "                [--suite FILE] [--only PROGRAM,...] [--raw FILE.jsonl] [--quick] [--wake-fit]\n"
    "                [--measurements FILE.jsonl] [--no-start-fit]\n"
    "gilsim_fidelity --cpython --replay FILE.jsonl [--suite FILE] [--output FILE] [--no-doc] [--no-start-fit]\n"
    "gilsim_fidelity --cpython --model-only [--only PROGRAM,...] [--set KEY=VALUE]... [--output FILE]\n"
    "Runs every program of the CPython ground-truth suite (fidelity/suite.toml) N times (default 3)\n"
    "with PATH (default /usr/bin/python3, else python3 on PATH), pinned to two CPUs, and prints\n"
    "CPython's median and spread, the model's for the paired scenario (the median over the suite's\n"
    "model_seeds seeds, lowest to highest) and the error.\n"
    "Before each round it measures the CPUs' speeds (cpu_speeds.py), how fast an idle CPU wakes\n"
    "a signalled thread and how late a timed wait runs (wake_latency.py), shown beside the model's\n"
    "default wake-up laws; --wake-fit predicts each round for the machine so fitted instead\n"
    "(docs/model.md G2a says why the default laws are the suite's). And how long python3 takes\n"
    "to start a process (os.fork(), the child's exit, the parent's wait): the model's process start\n"
    "costs are fitted to it (docs/model.md P4e) unless --no-start-fit.\n"
    "Writes docs/fidelity-cpython.md unless --no-doc, and with it, atomically, the measurements it\n"
    "was made of (--measurements, by default fidelity/measured.jsonl, or the page's name with\n"
    ".measured.jsonl for another --output): the run's own information, then every program's line.\n"
    "--replay FILE writes the page again from such a file with today's model and suite.toml, as\n"
    "the measuring run would have, running no Python. --quick runs the programs' tiny sizes (a\n"
    "check that they run, no figures; implies --no-doc). --only runs those programs' rows.\n"
    "--raw writes every program's JSON line, with the free cores, wall and CPU time the runner\n"
    "saw, one run a line (every section and figure, for calibrating the model).\n"
    "--model-only prints the model's prediction for each row (every core at speed 1.0) with its\n"
    "spread over the seeds, and runs\n"
    "no Python; --set changes a setting of every paired scenario, as gilsim run --set does;\n"
    "--output FILE also writes the page with the predictions alone, every row not measured.\n";

std::string find_python(const std::string& given) {
  if (!given.empty()) return given;
  if (::access("/usr/bin/python3", X_OK) == 0) return "/usr/bin/python3";  // Debian's, as CI runs
  return cpython::find_on_path("python3");
}

/// Parses the options after --cpython; throws SuiteError with the usage problem.
Options parse(int argc, char** argv) {
  Options o;
  std::string python;
  bool no_doc = false;
  std::vector<std::string> measuring;  ///< options that only a measuring run takes
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw SuiteError(fmt::format("{} needs a value", arg));
      return argv[++i];
    };
    if (arg == "--cpython") continue;
    if (arg != "--suite" && arg != "--output" && arg != "--no-doc" && arg != "--replay" && arg != "--no-start-fit" &&
        arg != "--help" && arg != "-h") {
      measuring.push_back(arg);
    }
    if (arg == "--python") {
      python = value();
    } else if (arg == "--repeat") {
      const std::string text = value();
      char* end = nullptr;
      const long n = std::strtol(text.c_str(), &end, 10);
      if (end == text.c_str() || *end != '\0' || n < 1 || n > 100) {
        throw SuiteError(fmt::format("--repeat {}: expected a whole number from 1 to 100", text));
      }
      o.repeat = static_cast<int>(n);
    } else if (arg == "--suite") {
      o.suite = value();
    } else if (arg == "--output") {
      o.output = value();
      o.output_given = true;
    } else if (arg == "--no-doc") {
      o.write_doc = false;
      no_doc = true;
    } else if (arg == "--quick") {
      o.quick = true;
      o.write_doc = false;
    } else if (arg == "--raw") {
      o.raw = value();
    } else if (arg == "--only") {
      std::string list = value();
      std::size_t begin = 0;
      while (begin <= list.size()) {
        std::size_t end = list.find(',', begin);
        if (end == std::string::npos) end = list.size();
        if (end > begin) o.only.push_back(list.substr(begin, end - begin));
        begin = end + 1;
      }
    } else if (arg == "--wake-fit") {
      o.wake_fit = true;
    } else if (arg == "--no-wake-fit") {  // the default; kept so that older commands still run
      o.wake_fit = false;
    } else if (arg == "--no-start-fit") {
      o.start_fit = false;
    } else if (arg == "--model-only") {
      o.model_only = true;
      o.write_doc = false;
    } else if (arg == "--set") {
      o.overrides.push_back(scenario::parse_override(value()));
    } else if (arg == "--measurements") {
      o.measurements = value();
    } else if (arg == "--replay") {
      o.replay = value();
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else {
      throw SuiteError(fmt::format("unknown option '{}' for --cpython; see --cpython --help", arg));
    }
  }
  if (!o.overrides.empty() && !o.model_only) throw SuiteError("--set is for --model-only: measured rows keep the suite's scenarios");
  if (o.model_only) o.write_doc = o.output_given && !no_doc;  // never over the measured page unless asked
  if (!o.replay.empty() && !measuring.empty()) {
    throw SuiteError(fmt::format("--replay takes the run's options from its file; {} is for measuring", measuring.front()));
  }
  if (!o.replay.empty()) o.write_doc = !no_doc;
  if (!o.model_only && o.replay.empty()) {
    o.python = find_python(python);
    if (o.python.empty()) throw SuiteError("no python3: give one with --python PATH");
    if (::access(o.python.c_str(), X_OK) != 0) throw SuiteError(fmt::format("--python {}: not a program", o.python));
  }
  // Checked before minutes of measuring, not after.
  const auto folder = std::filesystem::path(o.output).parent_path();
  std::error_code error;
  if (o.write_doc && !folder.empty() && !std::filesystem::is_directory(folder, error)) {
    throw SuiteError(fmt::format("cannot write '{}': there is no directory '{}'", o.output, folder.string()));
  }
  // The measurements go with a measured page: by default fidelity/measured.jsonl, beside
  // another page its name with .measured.jsonl.
  if (o.write_doc && !o.model_only && o.replay.empty() && o.measurements.empty()) {
    o.measurements = o.output_given ? std::filesystem::path(o.output).replace_extension(".measured.jsonl").string()
                                    : std::string(GILSIM_SOURCE_DIR "/fidelity/measured.jsonl");
  }
  if (!o.write_doc || o.model_only || !o.replay.empty()) o.measurements.clear();
  const auto measurements_folder = std::filesystem::path(o.measurements).parent_path();
  if (!o.measurements.empty() && !measurements_folder.empty() && !std::filesystem::is_directory(measurements_folder, error)) {
    throw SuiteError(fmt::format("cannot write '{}': there is no directory '{}'", o.measurements, measurements_folder.string()));
  }
  const auto raw_folder = std::filesystem::path(o.raw).parent_path();
  if (!o.raw.empty() && !raw_folder.empty() && !std::filesystem::is_directory(raw_folder, error)) {
    throw SuiteError(fmt::format("cannot write '{}': there is no directory '{}'", o.raw, raw_folder.string()));
  }
  return o;
}

double cpu_seconds(const rusage& r) {
  return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

struct Finished {
  std::string out, err;
  int status = 0;
  double wall = 0.0, cpu = 0.0;
};

/// Pins the calling process to the first two CPUs it may use (the suite's scenarios have two
/// cores).
void pin_to_two_cpus() {
  cpu_set_t allowed;
  if (::sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) <= 2) return;
  cpu_set_t two;
  CPU_ZERO(&two);
  for (int cpu = 0, taken = 0; cpu < CPU_SETSIZE && taken < 2; ++cpu) {
    if (CPU_ISSET(cpu, &allowed)) {
      CPU_SET(cpu, &two);
      ++taken;
    }
  }
  ::sched_setaffinity(0, sizeof two, &two);
}

/// What the free-core probe saw, scheduled as the programs are.
struct Probe {
  double free_cores = -1.0;
  SchedulerGroup group = SchedulerGroup::Failed;
};

/// Two busy threads for 30 ms, in a child scheduled exactly as a measured program is (its own
/// session and scheduler group, two CPUs): how many cores' worth they got.
Probe probe_free_cores() {
  int result_pipe[2];
  if (::pipe2(result_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error(fmt::format("cannot make a pipe for the free-core probe: {}", std::strerror(errno)));
  }
  const pid_t child = ::fork();
  if (child < 0) throw std::runtime_error(fmt::format("cannot start the free-core probe: {}", std::strerror(errno)));
  if (child == 0) {
    ::close(result_pipe[0]);
    Probe p;
    p.group = join_own_scheduler_group();
    pin_to_two_cpus();
    p.free_cores = real::measure_free_cores(2, Time{30'000'000});
    const bool sent = ::write(result_pipe[1], &p, sizeof p) == static_cast<ssize_t>(sizeof p);
    ::_exit(sent ? 0 : 1);
  }
  ::close(result_pipe[1]);
  Probe p;
  const bool got = ::read(result_pipe[0], &p, sizeof p) == static_cast<ssize_t>(sizeof p);
  ::close(result_pipe[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (!got || !WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("the free-core probe failed");
  return p;
}

/// Runs `python program [--quick]` on at most two CPUs (the suite's scenarios have two cores)
/// in a session and scheduler group of its own (sim/cpython/scheduler_group.hpp), and collects what it
/// printed; the child's session is killed when it outlives the timeout.
Finished run_program(const Options& o, const std::string& program, const std::vector<std::string>& options_first = {}) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error(fmt::format("cannot make pipes for {}: {}", program, std::strerror(errno)));
  }
  rusage before{};
  ::getrusage(RUSAGE_CHILDREN, &before);
  const auto began = std::chrono::steady_clock::now();
  const pid_t child = ::fork();
  if (child < 0) throw std::runtime_error(fmt::format("cannot start {}: {}", o.python, std::strerror(errno)));
  if (child == 0) {
    // Killed with the runner (its own session no longer gets the terminal's Ctrl-C).
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    join_own_scheduler_group();
    pin_to_two_cpus();
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    std::vector<const char*> args{o.python.c_str()};
    for (const auto& arg : options_first) args.push_back(arg.c_str());
    args.push_back(program.c_str());
    if (o.quick && options_first.empty()) args.push_back("--quick");
    args.push_back(nullptr);
    ::execv(o.python.c_str(), const_cast<char* const*>(args.data()));
    std::fprintf(stderr, "cannot run %s: %s\n", o.python.c_str(), std::strerror(errno));
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  Finished f;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* into[2] = {&f.out, &f.err};
  int open_pipes = 2;
  const auto deadline = began + std::chrono::duration<double>(o.timeout_seconds);
  bool killed = false;
  while (open_pipes > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      // The whole session (the child leads it, sim/cpython/scheduler_group.hpp): a program's
      // own subprocesses and pool workers too, which would otherwise outlive it.
      ::kill(-child, SIGKILL);
      ::kill(child, SIGKILL);
      killed = true;
      break;
    }
    if (::poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 1000))) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      char buffer[4096];
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        into[i]->append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_pipes;
      }
    }
  }
  for (auto& fd : fds) {
    if (fd.fd >= 0) ::close(fd.fd);
  }
  ::waitpid(child, &f.status, 0);
  f.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  rusage after{};
  ::getrusage(RUSAGE_CHILDREN, &after);
  f.cpu = cpu_seconds(after) - cpu_seconds(before);
  if (killed) {
    throw std::runtime_error(fmt::format("{} took longer than {:.0f} s and was stopped", program, o.timeout_seconds));
  }
  return f;
}

double one_minute(const std::vector<double>& load) { return load.empty() ? 0.0 : load.front(); }

/// The programs that measure the machine before each round (not rows): each CPU's speed (S7)
/// and how fast an idle CPU wakes a signalled thread (G8).
constexpr const char* kSpeedProbe = "cpu_speeds.py";
constexpr const char* kWakeProbe = "wake_latency.py";
/// And how long python3 takes to start a process: fork, the child's exit and the parent's
/// wait, kProcessStartTries (20) times after one to warm up (`python3 -c`; its line's program
/// is "fork_start"), with the teaching program's own start_process() (machine_probes.hpp).
constexpr const char* kForkProbe = "fork_start";
std::string fork_probe_code() {
  static_assert(cpython::kProcessStartTries == 20, "the median below is of 20 tries");
  return fmt::format(R"(import json, os, platform, sys, time
{}load = list(os.getloadavg())
start_process()
times = sorted(start_process() for _ in range({}))
print(json.dumps({{"program": "fork_start", "python": platform.python_version(), "executable": sys.executable,
                  "cpu_count": os.cpu_count(), "load_start": load, "load_end": list(os.getloadavg()),
                  "sections": {{"fork": {{"wall": sum(times), "cpu": 0.0, "cores": 1, "busy": 0, "samples": 20,
                                        "median": (times[9] + times[10]) / 2, "low": times[0], "high": times[-1]}}}}}}))
)", cpython::kStartProcessFunction, cpython::kProcessStartTries);
}

/// Runs one of the machine's probes; its output, or a SuiteError saying how it failed.
Finished run_probe(const Options& o, const fidelity::Suite& suite, const char* name) {
  const std::string path = (suite.programs / name).string();
  Finished f = run_program(o, path);
  if (!WIFEXITED(f.status) || WEXITSTATUS(f.status) != 0) {
    throw SuiteError(fmt::format("{} failed:\n{}{}", path, f.out, f.err));
  }
  return f;
}

/// Runs the process-start probe (fork_probe_code()); its output, or a SuiteError.
Finished run_fork_probe(const Options& o) {
  Finished f = run_program(o, fork_probe_code(), {"-c"});
  if (!WIFEXITED(f.status) || WEXITSTATUS(f.status) != 0) {
    throw SuiteError(fmt::format("{} -c (the process-start probe) failed:\n{}{}", o.python, f.out, f.err));
  }
  return f;
}

/// A path as the page shows it: relative to the source folder when inside it
/// ("fidelity/measured.jsonl"), else as given.
std::string shown(const std::string& path) {
  std::error_code error;
  const auto absolute = std::filesystem::absolute(path, error).lexically_normal();
  const auto relative = absolute.lexically_relative(std::filesystem::path(GILSIM_SOURCE_DIR).lexically_normal());
  if (error || relative.empty() || *relative.begin() == "..") return path;
  return relative.string();
}

/// The suite file as the page shows it: empty for the default one.
std::string shown_suite(const Options& o) {
  const std::string suite = shown(o.suite);
  return suite == "fidelity/suite.toml" ? std::string() : suite;
}

}  // namespace

void keep_only(fidelity::Suite& suite, const std::vector<std::string>& only) {
  if (only.empty()) return;
  std::vector<fidelity::SuiteRow> kept;
  for (const auto& row : suite.rows) {
    const std::string stem = std::filesystem::path(row.program).stem().string();
    if (std::find(only.begin(), only.end(), stem) != only.end() ||
        std::find(only.begin(), only.end(), row.program) != only.end()) {
      kept.push_back(row);
    }
  }
  if (kept.empty()) throw SuiteError("--only names no program of the suite");
  suite.rows = std::move(kept);
}

namespace {

/// What the rounds measured, as the predictions and the scores take it: filled run after run
/// by the measuring run, and from its measurements by --replay.
struct Measured {
  std::map<std::string, std::vector<fidelity::ProgramRun>> runs;  ///< by program file, round after round
  fidelity::CoreSpeedProbes speeds;
  fidelity::WakeLatencyProbes wakes;
  std::vector<std::string> process_starts;  ///< describe_process_start, per round; empty: not probed
  std::vector<Time> fork_probes;            ///< process_start_fastest, per round (P4e)
  double highest_load = 0.0;  ///< the highest 1-minute load the programs saw

  void add(const std::string& program, fidelity::ProgramRun run) {
    highest_load = std::max({highest_load, one_minute(run.load_start), one_minute(run.load_end)});
    runs[program].push_back(std::move(run));
  }
};

/// Predicts and scores every row from what was measured; fills the page's lines of the probes
/// and the highest load into `info` (whose wake_fit says how to predict). The model's machine
/// is fitted to the measured one (scenario::fit_to_machine): `cpus` CPUs at the speeds measured
/// (S7, over every round, in every order: core_orders) and, with --wake-fit, each round's
/// wake-ups (G8), a row's prediction then over the rounds its measurement kept (over_rounds).
/// Throws SuiteError, and what `predict` throws.
std::vector<fidelity::RowResult> score_rows(const fidelity::Suite& suite,
                                            const std::map<std::string, scenario::Scenario*>& loaded,
                                            const Measured& m, int cpus, fidelity::RunInfo& info,
                                            const Predictor& predict) {
  info.core_speeds = m.speeds.describe();
  info.wake_latencies = m.wakes.describe();
  info.highest_load = m.highest_load;
  info.process_starts.clear();
  for (std::size_t r = 0; r < m.process_starts.size(); ++r) {
    info.process_starts.push_back(fmt::format("round {} {}", r + 1, m.process_starts[r]));
  }
  const std::vector<double> speeds = m.speeds.speeds();
  // P4e: the process start costs fitted to the rounds' fork probe (one figure for every round)
  const std::optional<Time> fork_probe = info.start_fit ? fidelity::fork_probe_of(m.fork_probes) : std::nullopt;
  info.start_fit_note.clear();
  if (fork_probe) {
    scenario::Scenario before;
    scenario::Scenario after = before;
    scenario::fit_to_machine(after, {before.machine.cores, {}, {}, {}, fork_probe});
    std::vector<std::string> moved;
    for (const auto& k : scenario::process_start_kernel_shares()) {
      if (after.costs.*k.cost != before.costs.*k.cost) {
        moved.push_back(fmt::format("`{}` {}", k.name, format_time(after.costs.*k.cost)));
      }
    }
    if (!moved.empty()) {
      info.start_fit_note = fmt::format("{}, {:.2f} x the {} of the host the defaults were measured on: {}",
                                        format_time(*fork_probe),
                                        static_cast<double>(fork_probe->ns()) /
                                            static_cast<double>(scenario::kReferenceForkProbe.ns()),
                                        format_time(scenario::kReferenceForkProbe), fmt::join(moved, ", "));
    }
  }
  std::vector<std::vector<fidelity::Prediction>> rounds(suite.rows.size());
  const std::size_t fitted_rounds = info.wake_fit ? m.wakes.rounds.size() : 1;
  for (std::size_t r = 0; r < fitted_rounds; ++r) {
    std::map<std::string, scenario::Scenario> fitted;
    for (const auto& [name, s] : loaded) {
      const std::vector<scenario::WakeSample> wake = info.wake_fit ? m.wakes.samples(r) : std::vector<scenario::WakeSample>{};
      const std::vector<scenario::TimerSample> timer =
          info.wake_fit ? m.wakes.timer_samples(r) : std::vector<scenario::TimerSample>{};
      scenario::fit_to_machine(fitted.emplace(name, *s).first->second, {cpus, speeds, wake, timer, fork_probe});
    }
    for (std::size_t i = 0; i < suite.rows.size(); ++i) {
      rounds[i].push_back(predict(suite.rows[i], fitted.at(suite.rows[i].scenario)));
    }
  }
  std::vector<fidelity::RowResult> results;
  const std::vector<fidelity::ProgramRun> none;
  for (std::size_t i = 0; i < suite.rows.size(); ++i) {
    const auto& row = suite.rows[i];
    const auto runs = m.runs.find(row.program);
    fidelity::Measurement measured = fidelity::measure(row, runs == m.runs.end() ? none : runs->second);
    // Each measured round beside the prediction for that round's machine.
    const fidelity::Prediction predicted =
        info.wake_fit ? fidelity::over_rounds(rounds[i], measured.rounds) : rounds[i].front();
    results.push_back(fidelity::score(row, std::move(measured), predicted));
  }
  return results;
}

/// The measurements of a file (read_measurements), checked against the suite: each line a
/// probe or a program of the suite that gives every figure its rows read, each probe and
/// program once a round. Throws SuiteError "FILE:LINE: ...".
Measured measured_of(const fidelity::Measurements& file, const fidelity::Suite& suite, const std::string& path) {
  const auto fail = [&](std::size_t line, const std::string& why) {
    return SuiteError(fmt::format("{}:{}: {}", path, line, why));
  };
  const std::string speed_probe = std::filesystem::path(kSpeedProbe).stem().string();
  const std::string wake_probe = std::filesystem::path(kWakeProbe).stem().string();
  const std::vector<std::string> names = suite.program_names();
  Measured m;
  for (const auto& line : file.runs) {
    const std::string& program = line.run.program;
    const std::size_t before = static_cast<std::size_t>(line.repeat - 1);  // the runs of earlier rounds
    const auto once_a_round = [&](std::size_t count, const std::string& name) {
      if (count != before) {
        throw fail(line.line, fmt::format("{} in round {} after {} run(s) of it: expected one a round, in order", name,
                                          line.repeat, count));
      }
    };
    try {
      if (program == speed_probe) {
        once_a_round(m.speeds.loops.size(), kSpeedProbe);
        m.speeds.add(line.run);
        continue;
      }
      if (program == wake_probe) {
        once_a_round(m.wakes.rounds.size(), kWakeProbe);
        m.wakes.add(line.run);
        continue;
      }
      if (program == kForkProbe) {
        once_a_round(m.process_starts.size(), kForkProbe);
        m.process_starts.push_back(fidelity::describe_process_start(line.run));
        m.fork_probes.push_back(fidelity::process_start_fastest(line.run));
        continue;
      }
      const auto name = std::find_if(names.begin(), names.end(), [&](const std::string& n) {
        return std::filesystem::path(n).stem().string() == program;
      });
      if (name == names.end()) {  // its rows have left the suite since it was measured
        fmt::print(stderr, "gilsim_fidelity: {}:{}: no row of the suite reads {}'s figures: left out\n", path, line.line,
                   program);
        continue;
      }
      once_a_round(m.runs.count(*name) > 0 ? m.runs.at(*name).size() : 0, *name);
      for (const auto& row : suite.rows) {
        if (row.program == *name) fidelity::measure(row, {line.run});  // every figure its rows read is there
      }
      m.add(*name, line.run);
    } catch (const SuiteError& e) {
      const std::string what = e.what();
      if (what.rfind(path + ":", 0) == 0) throw;
      throw fail(line.line, what);
    }
  }
  const auto complete = [&](std::size_t count, const std::string& name) {
    if (count != static_cast<std::size_t>(file.info.repeat)) {
      throw SuiteError(fmt::format("{}: {} ran {} time(s), where run_info's \"repeat\" is {}: expected one line a round",
                                   path, name, count, file.info.repeat));
    }
  };
  complete(m.speeds.loops.size(), kSpeedProbe);
  complete(m.wakes.rounds.size(), kWakeProbe);
  if (!m.process_starts.empty()) complete(m.process_starts.size(), kForkProbe);  // older measurements have none
  for (const auto& name : names) {
    if (m.runs.count(name) == 0) {
      fmt::print(stderr, "gilsim_fidelity: {} has no run of {}: its rows are not measured\n", path, name);
      continue;
    }
    complete(m.runs.at(name).size(), name);
  }
  return m;
}

}  // namespace

std::vector<fidelity::RowResult> replay_rows(const fidelity::Measurements& file, const fidelity::Suite& suite,
                                             const std::map<std::string, scenario::Scenario*>& loaded,
                                             const std::string& path, const Predictor& predict,
                                             fidelity::RunInfo& info) {
  return score_rows(suite, loaded, measured_of(file, suite, path), file.cpus, info, predict);
}

namespace {

/// The table, the page (with `measurements` beside it when given, atomically) and the
/// paragraph for a class. Returns the exit code.
int finish(const Options& o, const std::vector<fidelity::RowResult>& results, const fidelity::RunInfo& info,
           const std::string& measurements) {
  fmt::print("\n{}\n", fidelity::render_text(results));
  fmt::print("load average after: {}; the suite took {:.1f} s\n", info.load_after, info.seconds);
  if (o.quick) fmt::print("(tiny sizes: the figures above say nothing about CPython)\n");
  try {
    if (o.write_doc) {
      std::vector<trace::OutputRequest> outputs{
          {o.output, [&](std::ostream& out) { out << fidelity::render_markdown(results, info); }}};
      if (!o.measurements.empty()) outputs.push_back({o.measurements, [&](std::ostream& out) { out << measurements; }});
      trace::write_outputs(outputs, std::cout);
      fmt::print("wrote {}\n", o.output);
      if (!o.measurements.empty()) fmt::print("wrote {}\n", o.measurements);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "gilsim_fidelity: {}\n", e.what());
    return 1;
  }
  if (o.quick) return 0;  // tiny sizes: nothing to tell a class
  fmt::print("\nWhat this means for a class:\n");
  for (const std::string& line : fidelity::class_lines(results)) fmt::print("{}\n", line);
  return 0;
}

/// --replay: the page again from a measuring run's measurements, no Python run.
int replay(const Options& o, const fidelity::Suite& suite, const std::map<std::string, scenario::Scenario*>& loaded,
           const fidelity::Measurements& file) {
  fidelity::RunInfo info = file.info;
  info.start_fit = o.start_fit;
  info.measurements = shown(o.replay);
  info.suite = shown_suite(o);
  std::vector<fidelity::RowResult> results;
  try {
    results = replay_rows(file, suite, loaded, o.replay, fidelity::predict, info);
  } catch (const SuiteError& e) {
    fmt::print(stderr, "gilsim_fidelity: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {  // a prediction past the model's event limit
    fmt::print(stderr, "gilsim_fidelity: {}\n", e.what());
    return 1;
  }
  fmt::print("CPython suite replayed from {}: {} rows, measured by `{}`\n", o.replay, suite.rows.size(), info.command);
  return finish(o, results, info, {});
}

}  // namespace

bool wants_cpython_suite(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--cpython") == 0) return true;
  }
  return false;
}

int run_cpython_suite(int argc, char** argv) {
  Options options;
  fidelity::Suite suite;
  fidelity::Measurements replayed;
  std::vector<fidelity::Prediction> predictions;
  std::deque<scenario::Scenario> scenarios;
  std::map<std::string, scenario::Scenario*> loaded;  ///< by file name, in `scenarios`
  try {
    options = parse(argc, argv);
    if (!options.replay.empty()) {
      replayed = fidelity::read_measurements(options.replay);
      options.only = replayed.only;
    }
    suite = fidelity::load_suite(options.suite);
    try {
      keep_only(suite, options.only);
    } catch (const SuiteError& e) {
      if (options.replay.empty()) throw;
      throw SuiteError(fmt::format("{}:1: run_info's \"only\" names no program of the suite {}", options.replay, options.suite));
    }
    // Every prediction first: a mistake in the suite shows before minutes of measuring.
    for (const auto& row : suite.rows) {
      if (loaded.count(row.scenario) == 0) {
        loaded[row.scenario] =
            &scenarios.emplace_back(scenario::load_file(suite.scenarios / row.scenario, options.overrides));
      }
      if (options.model_only) {
        predictions.push_back(fidelity::predict(row, *loaded[row.scenario]));
      } else if (options.replay.empty()) {  // a check: one seed finds what every seed would
        fidelity::SuiteRow one_seed = row;
        one_seed.model.seeds = 1;
        fidelity::predict(one_seed, *loaded[row.scenario]);
      }
    }
  } catch (const SuiteError& e) {
    fmt::print(stderr, "gilsim_fidelity: {}\n", e.what());
    return 2;
  } catch (const scenario::ScenarioError& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 2;
  } catch (const std::exception& e) {  // a prediction past the model's event limit
    fmt::print(stderr, "gilsim_fidelity: {}\n", e.what());
    return 1;
  }
  if (!options.replay.empty()) return replay(options, suite, loaded, replayed);


  if (options.model_only) {
    for (std::size_t i = 0; i < suite.rows.size(); ++i) {
      const auto& row = suite.rows[i];
      const auto& p = predictions[i];
      const std::string figure = row.kind == fidelity::RowKind::Race
                                     ? fmt::format("{} lost, {} kept", p.lost, p.kept)
                                     : fidelity::format_figure(row.kind, p.value);
      fmt::print("{:<48} {:<44} {} ({} to {}, {} seed{})\n", row.effect, row.label, figure,
                 fidelity::format_figure(row.kind, p.low), fidelity::format_figure(row.kind, p.high), p.seeds,
                 p.seeds == 1 ? "" : "s");
    }
    if (!options.write_doc) return 0;
    std::vector<fidelity::RowResult> unmeasured;
    for (std::size_t i = 0; i < suite.rows.size(); ++i) {
      unmeasured.push_back(fidelity::score(suite.rows[i], {}, predictions[i]));
    }
    fidelity::RunInfo info;
    info.command = fmt::format("build/gilsim_fidelity --cpython --model-only --output {}", options.output);
    info.machine = machine_description(real::available_cpus());
    info.measured = false;
    try {
      trace::write_file_atomically(options.output,
                                   [&](std::ostream& out) { out << fidelity::render_markdown(unmeasured, info); });
      fmt::print("wrote {}\n", options.output);
    } catch (const std::exception& e) {
      fmt::print(stderr, "gilsim_fidelity: {}\n", e.what());
      return 1;
    }
    return 0;
  }


  const auto began = std::chrono::steady_clock::now();
  fidelity::Measurements measurements;
  fidelity::RunInfo& info = measurements.info;
  info.repeat = options.repeat;
  info.load_before = load_average();
  info.machine = machine_description(real::available_cpus());
  info.wake_fit = options.wake_fit;
  info.start_fit = options.start_fit;
  measurements.cpus = std::min(real::available_cpus(), 2);  // the programs run on two CPUs
  measurements.only = options.only;
  fmt::print("CPython suite: {} rows, {} programs, {} run(s) each, {}{}\n", suite.rows.size(),
             suite.program_names().size(), options.repeat, options.python, options.quick ? ", tiny sizes" : "");
  fmt::print("machine: {}; load average before: {}\n\n", info.machine, info.load_before);

  Measured measured;
  std::vector<std::string>& raw_lines = measurements.lines;
  try {
    for (int r = 1; r <= options.repeat; ++r) {
      {
        // The machine before the round's programs: each CPU's speed (S7) and its wake-ups
        // (G8). The model's runs are given them.
        Finished f = run_probe(options, suite, kSpeedProbe);
        measured.speeds.add(fidelity::parse_program_output(f.out, kSpeedProbe));
        raw_lines.push_back(fidelity::raw_line(f.out, r, -1.0, f.wall, f.cpu));
        fmt::print("run {}/{} {:<20} {}\n", r, options.repeat, kSpeedProbe, measured.speeds.describe());
        f = run_probe(options, suite, kWakeProbe);
        measured.wakes.add(fidelity::parse_program_output(f.out, kWakeProbe));
        raw_lines.push_back(fidelity::raw_line(f.out, r, -1.0, f.wall, f.cpu));
        fmt::print("run {}/{} {:<20} {}\n", r, options.repeat, kWakeProbe, measured.wakes.describe().back());
        f = run_fork_probe(options);
        const fidelity::ProgramRun fork_run = fidelity::parse_program_output(f.out, kForkProbe);
        measured.process_starts.push_back(fidelity::describe_process_start(fork_run));
        measured.fork_probes.push_back(fidelity::process_start_fastest(fork_run));
        raw_lines.push_back(fidelity::raw_line(f.out, r, -1.0, f.wall, f.cpu));
        fmt::print("run {}/{} {:<20} python3's fork, exit and wait: {}\n", r, options.repeat, kForkProbe,
                   measured.process_starts.back());
      }
      for (const auto& name : suite.program_names()) {
        const Probe probe = probe_free_cores();
        const double free_cores = probe.free_cores;
        if (info.scheduling.empty()) {
          info.scheduling = describe(probe.group, ::getpriority(PRIO_PROCESS, 0));
          fmt::print("scheduling: {}\n\n", info.scheduling);
        }
        const std::string path = (suite.programs / name).string();
        const Finished f = run_program(options, path);
        if (!WIFEXITED(f.status) || WEXITSTATUS(f.status) != 0) {
          const std::string how = WIFEXITED(f.status) ? fmt::format("exit status {}", WEXITSTATUS(f.status))
                                                      : fmt::format("signal {}", WTERMSIG(f.status));
          fmt::print(stderr, "gilsim_fidelity: {} failed ({}):\n{}{}\n", path, how, f.out, f.err);
          return 1;
        }
        fidelity::ProgramRun run = fidelity::parse_program_output(f.out, name);
        raw_lines.push_back(fidelity::raw_line(f.out, r, free_cores, f.wall, f.cpu));
        run.free_cores = free_cores;
        run.wall = f.wall;
        run.cpu = f.cpu;
        if (info.python.empty()) info.python = fmt::format("{} ({})", run.python, options.python);
        fmt::print("run {}/{} {:<20} {:6.2f} s wall, {:5.2f} s CPU, {:.1f} cores free before, load {:.2f}\n", r,
                   options.repeat, name, f.wall, f.cpu, free_cores, one_minute(run.load_end));
        std::fflush(stdout);
        measured.add(name, std::move(run));
      }
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "gilsim_fidelity: {}\n", e.what());
    return 1;
  }
  if (!options.raw.empty()) {
    try {
      trace::write_file_atomically(options.raw, [&](std::ostream& out) {
        for (const auto& line : raw_lines) out << line << "\n";
      });
      fmt::print("wrote {}\n", options.raw);
    } catch (const std::exception& e) {
      fmt::print(stderr, "gilsim_fidelity: {}\n", e.what());
      return 1;
    }
  }

  std::vector<fidelity::RowResult> results;
  try {
    results = score_rows(suite, loaded, measured, measurements.cpus, info, fidelity::predict);
  } catch (const SuiteError& e) {
    fmt::print(stderr, "gilsim_fidelity: {}\n", e.what());
    return 1;
  }
  info.load_after = load_average();
  info.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  const int nice = ::getpriority(PRIO_PROCESS, 0);
  info.command = fmt::format("{}build/gilsim_fidelity --cpython --repeat {}",
                             nice != 0 ? fmt::format("nice -n {} ", nice) : std::string(), options.repeat);
  if (options.python != "/usr/bin/python3") info.command += fmt::format(" --python {}", options.python);
  if (!shown_suite(options).empty()) info.command += fmt::format(" --suite {}", shown_suite(options));
  if (!options.only.empty()) info.command += fmt::format(" --only {}", fmt::join(options.only, ","));
  if (options.wake_fit) info.command += " --wake-fit";
  if (!options.start_fit) info.command += " --no-start-fit";
  // The text written is the one the page is made of; the page then says where it is.
  const std::string text = fidelity::measurements_text(measurements);
  if (!options.measurements.empty()) {
    info.measurements = shown(options.measurements);
    info.suite = shown_suite(options);
  }
  return finish(options, results, info, text);
}

}  // namespace gilsim::bench

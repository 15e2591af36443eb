// Running CPython for `--cpython`: a temporary folder with the program, the recorder and its
// settings; the interpreter in a process group of its own (so Ctrl-C, the timeout or a
// crash stops its pool workers too); the recording read back into a Trace.
#include "sim/cpython/cpython_runs.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/cpython/cpython_recorder_source.hpp"
#include "sim/cpython/cpython_trace.hpp"
#include "sim/cpython/scheduler_group.hpp"
#include "sim/real/execute.hpp"
#include "sim/real/machine_load.hpp"

extern char** environ;

namespace gilsim::cpython {

namespace fs = std::filesystem;

namespace {

/// A folder of its own under the system's temporary folder, removed with everything in it.
class TemporaryFolder {
 public:
  TemporaryFolder() {
    std::string pattern = (fs::temp_directory_path() / "gilsim-cpython-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a temporary folder for CPython");
    path_ = pattern;
  }
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;
  ~TemporaryFolder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void write_text(const fs::path& path, std::string_view text) {
  std::ofstream file(path, std::ios::binary);
  file << text;
  if (!file) throw std::runtime_error(fmt::format("cannot write '{}'", path.string()));
}

std::string read_text(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string last_line(const std::string& text) {
  std::string trimmed = text;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) trimmed.pop_back();
  const auto newline = trimmed.rfind('\n');
  return newline == std::string::npos ? trimmed : trimmed.substr(newline + 1);
}

struct ChildResult {
  int status = 0;           ///< as waitpid gives it
  bool cancelled = false;
  bool timed_out = false;
};

/// Runs `argv` in a new session (so a new process group) with stdout and stderr in `output`,
/// scheduled with this process's nice value even where autogroups share the CPUs between
/// sessions first (scheduler_group.hpp); on cancel or timeout kills the whole group. The group is killed on the way out in every case, so a
/// pool worker the interpreter left behind does not outlive the run.
ChildResult run_child(const std::vector<std::string>& argv, const fs::path& output, const std::vector<std::string>& env_extra,
                      const CPythonOptions& options, const std::function<void(double)>& tick) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings(env_extra);
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  std::vector<char*> env;
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);

  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&files, 1, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&files, 1, 2);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // A session of its own (so a process group of its own, which the kills below need), whose
  // scheduler autogroup gets this process's nice value (scheduler_group.hpp).
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, args[0], &files, &attributes, args.data(), env.data());
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attributes);
  if (spawned != 0) throw std::runtime_error(fmt::format("cannot start '{}': {}", argv[0], std::strerror(spawned)));
  raise_scheduler_group(pid, ::getpriority(PRIO_PROCESS, 0));

  ChildResult result;
  const auto started = std::chrono::steady_clock::now();
  for (;;) {
    const pid_t done = ::waitpid(pid, &result.status, WNOHANG);
    if (done == pid) break;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    result.cancelled = options.cancel != nullptr && options.cancel->load();
    result.timed_out = elapsed > options.timeout_seconds;
    if (result.cancelled || result.timed_out) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &result.status, 0);
      break;
    }
    if (tick) tick(elapsed);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(-pid, SIGKILL);  // whatever the interpreter left in its group
  return result;
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) return fmt::format("killed by signal {} ({})", WTERMSIG(status), ::strsignal(WTERMSIG(status)));
  return fmt::format("exit status {}", WEXITSTATUS(status));
}

/// Writes the program and the recorder into `dir`; the recorder's settings every run shares.
nlohmann::json recorder_config(const fs::path& dir, const PythonProgram& program) {
  write_text(dir / "gilsim_lesson.py", program.text);
  write_text(dir / "cpython_recorder.py", kCPythonRecorderSource);
  return nlohmann::json{{"program", (dir / "gilsim_lesson.py").string()},
                        {"module", "gilsim_lesson"},
                        {"jobs", program.job_functions},
                        {"async_jobs", program.async_job_functions},
                        {"locks", program.lock_globals},
                        {"counters", program.counter_globals},
                        {"seen_steps", program.seen_steps},
                        {"send_back_bytes", program.send_back_bytes},
                        {"slice_ns", kSliceNs},
                        {"gap_ns", kGapNs},
                        {"records_dir", dir.string()},
                        {"out", (dir / "trace.txt").string()}};
}

nlohmann::json calibration_json(const Calibration& c) {
  nlohmann::json out = nlohmann::json::object();
  if (c.loops_per_ms > 0) out["LOOPS_PER_MS"] = c.loops_per_ms;
  if (c.bytes_per_ms > 0) out["BYTES_PER_MS"] = c.bytes_per_ms;
  return out;
}

bool defines(const PythonProgram& program, std::string_view function) {
  return program.text.find(fmt::format("\ndef {}(", function)) != std::string::npos;
}

/// Whether `c` has each probe `program` has, of its size.
bool has_probes(const Calibration& c, const PythonProgram& program) {
  const bool start = !defines(program, "process_start") || c.process_start;
  const bool pickling = program.send_back_bytes == 0 || (c.pickling && c.pickling->bytes == program.send_back_bytes);
  return start && pickling;
}

}  // namespace

Calibration calibrate(const PythonProgram& program, const Interpreter& python, const CPythonOptions& options) {
  TemporaryFolder folder;
  nlohmann::json config = recorder_config(folder.path(), program);
  config["calibrate"] = true;
  write_text(folder.path() / "config.json", config.dump());
  const ChildResult result =
      run_child({python.path, (folder.path() / "cpython_recorder.py").string(), (folder.path() / "config.json").string()},
                folder.path() / "output.txt", {"PYTHONDONTWRITEBYTECODE=1"}, options, {});
  const std::string output = read_text(folder.path() / "output.txt");
  if (result.cancelled) throw CPythonRunCancelled("interrupted while calibrating CPython; every process it started was stopped");
  std::istringstream words(output);
  std::string tag;
  Calibration c;
  std::int64_t start_ns = 0, bytes = 0, dumps_ns = 0, pipe_ns = 0, loads_ns = 0;
  if (result.timed_out || !WIFEXITED(result.status) || WEXITSTATUS(result.status) != 0 ||
      !(words >> tag >> c.loops_per_ms >> c.bytes_per_ms) || tag != "calibration") {
    throw std::runtime_error(fmt::format("calibrating {} failed ({}){}{}", python.path,
                                         result.timed_out
                                             ? fmt::format("it took more than {:.0f} s, the limit of a run", options.timeout_seconds)
                                             : describe_status(result.status),
                                         last_line(output).empty() ? "" : ": ", last_line(output)));
  }
  // Then the machine's probes (cpython_recorder.py's measure_machine), when the program has them.
  if (!(words >> start_ns >> bytes >> dumps_ns >> pipe_ns >> loads_ns)) start_ns = bytes = 0;
  if (start_ns > 0) c.process_start = Time{start_ns};
  if (bytes > 0) c.pickling = scenario::PicklingProbe{bytes, Time{dumps_ns}, Time{pipe_ns}, Time{loads_ns}};
  return c;
}

Calibration calibrate_missing(const std::optional<Calibration>& known, const PythonProgram& program,
                              const Interpreter& python, const CPythonOptions& options) {
  Calibration c = known.value_or(Calibration{});
  const bool loops = defines(program, "compute") && c.loops_per_ms == 0;
  const bool bytes = defines(program, "hash_data") && c.bytes_per_ms == 0;
  if (!known || loops || bytes || !has_probes(c, program)) {
    const Calibration measured = calibrate(program, python, options);
    if (c.loops_per_ms == 0) c.loops_per_ms = measured.loops_per_ms;
    if (c.bytes_per_ms == 0) c.bytes_per_ms = measured.bytes_per_ms;
    if (!c.process_start) c.process_start = measured.process_start;
    if (measured.pickling) c.pickling = measured.pickling;  // of this program's size
  }
  return c;
}

scenario::MeasuredMachine measured_machine(const Calibration& c, const PythonProgram& program, int cpus) {
  scenario::MeasuredMachine machine{cpus, {}, {}, {}, std::nullopt};
  if (defines(program, "process_start")) machine.fork_probe = c.process_start;
  if (program.send_back_bytes > 0 && c.pickling && c.pickling->bytes == program.send_back_bytes) machine.pickling = c.pickling;
  return machine;
}

std::pair<Time, Time> measure_observer_effect(const PythonProgram& program, const Interpreter& python,
                                              const std::optional<Calibration>& calibration) {
  TemporaryFolder folder;
  nlohmann::json config = recorder_config(folder.path(), program);
  config["observer"] = true;
  if (calibration) config["calibration"] = calibration_json(*calibration);
  write_text(folder.path() / "config.json", config.dump());
  const ChildResult result =
      run_child({python.path, (folder.path() / "cpython_recorder.py").string(), (folder.path() / "config.json").string()},
                folder.path() / "output.txt", {"PYTHONDONTWRITEBYTECODE=1"}, CPythonOptions{}, {});
  const std::string output = read_text(folder.path() / "output.txt");
  std::istringstream words(output);
  std::string tag;
  std::int64_t plain = 0, recorded = 0;
  if (!WIFEXITED(result.status) || WEXITSTATUS(result.status) != 0 || !(words >> tag >> plain >> recorded) ||
      tag != "observer") {
    throw std::runtime_error(fmt::format("the observer-effect measurement failed: {}", last_line(output)));
  }
  return {Time{plain}, Time{recorded}};
}

std::string find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream folders(path == nullptr ? "" : path);
  for (std::string folder; std::getline(folders, folder, ':');) {
    const auto candidate = fs::path(folder.empty() ? "." : folder) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return {};
}

Interpreter find_interpreter(const std::string& asked) {
  std::string path = asked;
  if (path.empty()) path = ::access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "";
  if (path.empty()) path = find_on_path("python3");
  if (path.empty()) {
    throw InterpreterError("--cpython needs a Python interpreter: there is no /usr/bin/python3 and no python3 on PATH; name one with --python PATH");
  }
  // A folder passes access(X_OK) (it can be entered): it was found only when started.
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw InterpreterError(fmt::format("--python {}: it is a folder; expected a Python interpreter, such as "
                                       "/usr/bin/python3",
                                       path));
  }
  if (::access(path.c_str(), X_OK) != 0) throw InterpreterError(fmt::format("--python {}: no such interpreter (not an executable file)", path));
  TemporaryFolder folder;
  const auto output = folder.path() / "version.txt";
  // One string printed, and one line of code: Python 2's print statement printed the words
  // as a tuple, "('gilsim-probe', 2, 7, '2.7.18', 0, 1)", and another language's interpreter
  // quotes the code it could not run ("Can't open perl script ..."), which the message
  // replaces with a name rather than show a cut fragment of it.
  const std::string code =
      "import sys, sysconfig; print(' '.join(map(str, ('gilsim-probe', sys.version_info[0], sys.version_info[1], "
      "sys.version.split()[0], int(bool(sysconfig.get_config_var('Py_GIL_DISABLED'))), "
      "int(getattr(sys, '_is_gil_enabled', lambda: True)())))))";
  const ChildResult probe = run_child({path, "-c", code}, output, {}, CPythonOptions{.timeout_seconds = 10.0}, {});
  const std::string text = read_text(output);
  std::istringstream words(text);
  std::string tag, version;
  int major = 0, minor = 0, free_threaded = 0, gil = 1;
  if (probe.timed_out || !WIFEXITED(probe.status) || WEXITSTATUS(probe.status) != 0 ||
      !(words >> tag >> major >> minor >> version >> free_threaded >> gil) || tag != "gilsim-probe") {
    std::string said = last_line(text);
    if (const auto at = said.find(code); at != std::string::npos) said.replace(at, code.size(), "(gilsim's probe)");
    throw InterpreterError(fmt::format("--python {}: not a working Python 3 interpreter ({}{}{})", path,
                                 probe.timed_out ? "no answer in 10 s" : describe_status(probe.status),
                                 said.empty() ? "" : ": ", said));
  }
  if (major != 3 || minor < kOldestMinor) {
    throw InterpreterError(fmt::format("--python {} is Python {}; recording needs 3.{} or later", path, version, kOldestMinor));
  }
  return Interpreter{path, version, gil != 0, free_threaded != 0};
}

std::optional<std::string> why_not_recorded(const scenario::Scenario& s, const ProgramRun& run, const Interpreter& python) {
  const std::string& name = run.run->name;
  const bool needs_no_gil = scenario::effective_gil(s, *run.run) == scenario::GilMode::None;
  if (run.skipped) return fmt::format("'{}' is not run in CPython: it {}.", name, *run.skipped);
  if (run.not_recorded) return fmt::format("'{}' is not run in CPython: {}.", name, *run.not_recorded);
  if (needs_no_gil && !python.free_threaded) {
    return fmt::format("'{}' is not run in CPython: it needs a free-threaded build (python3.13t); {} {} has a GIL "
                       "(name one with --python).", name, python.path, python.version);
  }
  return real::why_not_runnable(s, *run.run);  // the real executors' limits apply
}

std::optional<trace::Trace> record_cpython_run(const scenario::Scenario& s, const ProgramRun& run,
                                               const PythonProgram& program, const Interpreter& python,
                                               const CPythonOptions& options, std::string& why,
                                               CPythonRunInfo* info) {
  const std::string& name = run.run->name;
  const bool needs_no_gil = scenario::effective_gil(s, *run.run) == scenario::GilMode::None;
  if (auto reason = why_not_recorded(s, run, python)) {
    why = *reason;
    return std::nullopt;
  }
  std::vector<std::string> env;
  if (python.free_threaded) env.push_back(needs_no_gil ? "PYTHON_GIL=0" : "PYTHON_GIL=1");
  env.push_back("PYTHONDONTWRITEBYTECODE=1");

  TemporaryFolder folder;
  const fs::path dir = folder.path();
  nlohmann::json config = recorder_config(dir, program);
  config["function"] = run.function;
  std::vector<std::int64_t> initial;  // timed() sets the counters; the recorder calls the run itself
  for (const auto& counter : s.counters) initial.push_back(counter.initial);
  config["counter_initial"] = initial;
  config["arguments"] = run.arguments;
  config["record"] = options.record;
  if (options.calibration) config["calibration"] = calibration_json(*options.calibration);
  const Time interval = scenario::effective_switch_interval(s, *run.run);
  config["switch_interval"] = static_cast<double>(interval.ns()) / 1e9;
  if (run.run->cores) config["cores"] = *run.run->cores;
  write_text(dir / "config.json", config.dump());

  std::ostream* progress = options.progress;
  int shown = -1;  // half seconds
  const auto tick = [&](double elapsed) {
    if (progress == nullptr || static_cast<int>(elapsed * 2) == shown) return;
    shown = static_cast<int>(elapsed * 2);
    *progress << fmt::format("\rCPython {}: '{}' running for {:.1f} s ", python.version, name, elapsed) << std::flush;
  };
  // The machine's busy time and this process's with its children's, around the interpreter:
  // what other programs used while it ran (trace::CpuCheck::others_cpu).
  const real::MachineSample machine_before = real::take_machine_sample();
  const ChildResult result = run_child({python.path, (dir / "cpython_recorder.py").string(), (dir / "config.json").string()},
                                       dir / "output.txt", env, options, tick);
  const real::MachineSample machine_after = real::take_machine_sample();
  if (progress != nullptr) *progress << "\r" << std::string(60, ' ') << "\r" << std::flush;
  const std::string output = read_text(dir / "output.txt");
  if (result.cancelled) {
    throw CPythonRunCancelled(fmt::format("interrupted during the CPython run '{}'; every process it started was stopped", name));
  }
  if (result.timed_out) {
    throw std::runtime_error(fmt::format("the CPython run '{}' timed out after {:.0f} s; every process it started was stopped",
                                         name, options.timeout_seconds));
  }
  if (!WIFEXITED(result.status) || WEXITSTATUS(result.status) != 0) {
    const std::string line = last_line(output);
    throw std::runtime_error(fmt::format("{} failed the run '{}' ({}){}{}", python.path, name, describe_status(result.status),
                                         line.empty() ? "" : ": ", line));
  }
  try {
    const auto recording = parse_cpython_recording(read_text(dir / "trace.txt"), "the recording");
    if (info != nullptr) *info = CPythonRunInfo{recording.load, Time{recording.cpu_ns}};
    trace::Trace t = cpython_trace(s, *run.run, recording);
    real::note_machine_use(t.cpu_check, machine_before, machine_after);
    return t;
  } catch (const CPythonTraceError& e) {
    throw std::runtime_error(fmt::format("the CPython run '{}': {}", name, e.what()));
  }
}

}  // namespace gilsim::cpython

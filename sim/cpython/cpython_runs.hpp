// `gilsim run --cpython`: the teaching program of a scenario run by a real CPython under
// cpython_recorder.py, one run at a time, and its recording read back as a measured Trace.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <ostream>
#include <string>
#include <utility>

#include "sim/cpython/python_program.hpp"
#include "sim/scenario/effective_settings.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace.hpp"

namespace gilsim::cpython {

/// The oldest CPython the recorder runs on (asyncio.to_thread).
inline constexpr int kOldestMinor = 9;
/// compute() runs in slices of this much pure Python, noting the time after each one.
inline constexpr std::int64_t kSliceNs = 50'000;
/// A slice that took longer than this had a pause: the thread was not running Python.
inline constexpr std::int64_t kGapNs = 250'000;

/// An interpreter that is missing, does not run or is too old: bad input (exit code 2).
class InterpreterError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Interpreter {
  std::string path;
  std::string version;   ///< "3.11.2"
  bool gil = true;       ///< false: a free-threaded build that runs without its GIL by default
  bool free_threaded = false;  ///< a free-threaded build (3.13t), whether or not its GIL is on
};

/// The first executable `program` in the folders of $PATH, or empty.
std::string find_on_path(const std::string& program);

/// The interpreter at `path` (empty: Debian's /usr/bin/python3, else python3 on PATH).
/// Throws InterpreterError when it is missing, does not run or is older than 3.9.
Interpreter find_interpreter(const std::string& path);

/// How much work the program's compute() and hash_data() do per planned millisecond on this
/// machine (its LOOPS_PER_MS and BYTES_PER_MS; 0 where the program has no such function).
/// Measured once and given to every run of a command, so that every run does the same work.
struct Calibration {
  std::int64_t loops_per_ms = 0;
  std::int64_t bytes_per_ms = 0;
  /// The program's process_start(), when it has one (P4e: gilsim_fidelity's fork probe).
  std::optional<Time> process_start = std::nullopt;
  /// The program's send_back() of its send_back_bytes, when it has one (P7c).
  std::optional<scenario::PicklingProbe> pickling = std::nullopt;
};

/// What `calibration` measured that `program` needs, for scenario::fit_to_machine: its process
/// start when the program has process_start(), its pickling when it sends back results of
/// its size; with `cpus` CPUs.
scenario::MeasuredMachine measured_machine(const Calibration& calibration, const PythonProgram& program, int cpus);

struct CPythonOptions {
  double timeout_seconds = 120.0;
  std::ostream* progress = nullptr;          ///< a progress line while a run executes; null: quiet
  const std::atomic<bool>* cancel = nullptr; ///< stops the run when it becomes true
  bool record = true;  ///< false: the same calibrated run without recording (its observer effect)
  /// The work per millisecond every run of the command uses; nullopt: the run measures its own.
  std::optional<Calibration> calibration = std::nullopt;
};

/// A run stopped by CPythonOptions::cancel (Ctrl-C); every process it started is gone.
class CPythonRunCancelled : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What the recorder says about the machine during one run.
struct CPythonRunInfo {
  double load = 0.0;  ///< load average when the run started
  Time cpu;           ///< CPU time the run got, its worker processes included
};

/// Why this interpreter does not record `run` (an old GIL, locks shared between processes, a
/// possible deadlock, no GIL without a free-threaded build, the real executors' limits), as
/// the sentence the report prints; nullopt when it records it.
std::optional<std::string> why_not_recorded(const scenario::Scenario& scenario, const ProgramRun& run,
                                            const Interpreter& python);

/// Runs `run` of `program` (made from `scenario`) under the recorder and returns its trace,
/// or nullopt with `why` filled when this interpreter cannot do that run (an old GIL, no
/// GIL without a free-threaded build). Throws CPythonRunCancelled when it is cancelled, and
/// std::runtime_error when the interpreter crashes, the run times out or the recording is
/// unreadable; by then
/// every process it started is gone and its temporary folder removed.
std::optional<trace::Trace> record_cpython_run(const scenario::Scenario& scenario, const ProgramRun& run,
                                               const PythonProgram& program, const Interpreter& python,
                                               const CPythonOptions& options, std::string& why,
                                               CPythonRunInfo* info = nullptr);

/// Measures `program`'s calibration with `python` (cpython_recorder.py's median of tries
/// spread over about half a second). Throws CPythonRunCancelled when options.cancel is set
/// during it, std::runtime_error when the interpreter fails.
Calibration calibrate(const PythonProgram& program, const Interpreter& python, const CPythonOptions& options = {});

/// `known` with what `program` needs and `known` lacks measured now (a program with no
/// compute() needs no loops): one calibration for the runs of several scenarios.
Calibration calibrate_missing(const std::optional<Calibration>& known, const PythonProgram& program,
                              const Interpreter& python, const CPythonOptions& options = {});

/// CPU time of 20 ms of the program's compute() without and with recording (the fastest of
/// 25 alternated tries each, in one thread): the recorder's observer effect on CPU work.
std::pair<Time, Time> measure_observer_effect(const PythonProgram& program, const Interpreter& python,
                                              const std::optional<Calibration>& calibration = std::nullopt);

}  // namespace gilsim::cpython

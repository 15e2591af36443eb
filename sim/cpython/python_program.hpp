// A scenario's runs written as the short Python program a class reads (`gilsim python`),
// and what the recorder (cpython_recorder.py) needs to run one of them and trace it.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace.hpp"

namespace gilsim::cpython {

/// How the program does one run: the executor function it calls, with its arguments.
struct ProgramRun {
  const scenario::Run* run = nullptr;
  std::string function;                 ///< "with_threads"
  std::vector<std::pair<std::string, std::string>> arguments;  ///< keyword and literal: {"processes", "2"}
  std::optional<std::string> skipped;   ///< why the program does not do it (old GIL, locks across processes)
  std::string skipped_said;  ///< what the program prints for the runs skipped so, once per reason
  std::optional<std::string> not_recorded;  ///< why the recorder cannot trace it (a possible deadlock)
};

struct PythonProgram {
  std::string text;                     ///< the whole program
  std::vector<std::string> job_functions;        ///< per job template, in file order; "" if unused
  std::vector<std::string> async_job_functions;  ///< the coroutine versions; "" if unused
  std::string job_list;                 ///< "JOBS" when the jobs are a list of functions, else ""
  std::vector<ProgramRun> runs;         ///< in the order given
  std::vector<std::string> lock_globals;     ///< per [locks] entry, its module global
  std::vector<std::string> counter_globals;  ///< per [counters] entry, its module global
  /// Per job template, the steps the recorder sees run (all but `counter += ...`), in order.
  std::vector<std::vector<int>> seen_steps;
  /// The bytes the program's send_back() probe sends (P7c): the largest result a pool's job
  /// returns, at most scenario::kPicklingProbeBytes; 0: it has none.
  std::int64_t send_back_bytes = 0;
};

/// The teaching program: the scenario's title and note as the docstring, one function per
/// kind of job and per executor, and a main that times each of `runs` (all when empty).
/// `predicted`, when given, holds the model's trace of each of those runs, in their order: the
/// docstring then ends with what gilsim predicts for each, and a run predicted to take a
/// minute or more is announced before it starts.
PythonProgram python_program(const scenario::Scenario& s, const std::vector<const scenario::Run*>& runs,
                             const std::vector<const trace::Trace*>& predicted = {});

}  // namespace gilsim::cpython

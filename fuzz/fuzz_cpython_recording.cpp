// libFuzzer target: any bytes as a CPython recording (what sim/cpython/cpython_recorder.py
// writes). A recording that parses is laid out as the measured trace of every run of a few
// bundled scenarios with a Python program, and each trace is read as `gilsim run --cpython`
// and the exports read it: metrics, the text timeline, the prediction table beside the
// model's trace, the counters' outcomes, the CSV and Chrome exports. Anything but a
// CPythonTraceError is a bug, and so is a trace whose lanes break the invariants the readers
// rely on (sim/trace/trace_checks.hpp). Inputs are capped at 8 KiB.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

#include "sim/cli/measured_runs.hpp"
#include "sim/cli/text_timeline.hpp"
#include "sim/real/machine_load.hpp"
#include "sim/cpython/cpython_trace.hpp"
#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/trace/chrome_export.hpp"
#include "sim/trace/csv_export.hpp"
#include "sim/trace/metrics.hpp"
#include "sim/trace/outcomes.hpp"
#include "sim/trace/trace_checks.hpp"

namespace {

using namespace gilsim;

constexpr std::size_t kMaxInputBytes = 8 << 10;

/// Scenarios whose recordings fuzz/seeds-cpython holds, between them threads, asyncio, a
/// process pool, locks, counters, a peer process and a run without the GIL.
constexpr const char* kScenarios[] = {
    "scenarios/02-io-bound.toml",      "scenarios/04-blocking-coroutine.toml", "scenarios/10-pool-overhead.toml",
    "scenarios/12-free-threaded.toml", "scenarios/14-two-locks.toml",          "scenarios/15-lost-update.toml",
    "fidelity/scenarios/convoy-beside-echo.toml",
};

/// A run of a bundled scenario with the model's trace of it, as the prediction table pairs them.
struct PredictedRun {
  const scenario::Scenario* scenario;
  const scenario::Run* run;
  trace::Trace predicted;
};

/// Loaded and simulated once: the scenarios do not change from input to input.
const std::vector<PredictedRun>& predicted_runs() {
  static std::deque<scenario::Scenario> scenarios;
  static const std::vector<PredictedRun> runs = [] {
    std::vector<PredictedRun> out;
    for (const char* file : kScenarios) {
      const scenario::Scenario& s = scenarios.emplace_back(scenario::load_file(std::string(GILSIM_SOURCE_DIR "/") + file));
      for (const scenario::Run& run : s.runs) out.push_back({&s, &run, model::simulate(s, run)});
    }
    return out;
  }();
  return runs;
}

/// Output nobody reads: the exports run to the end without a string growing per input.
class NullBuffer : public std::streambuf {
 protected:
  int_type overflow(int_type c) override { return traits_type::not_eof(c); }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

/// The invariants a trace's readers rely on: spans ordered and apart on every lane, the GIL
/// held by a thread of its process, Python run only under it. How many times a job started
/// and finished is the recording's to say (a killed run has fewer ends), not a bug.
void check_lanes(const trace::Trace& t, const std::string& run) {
  for (const std::string& problem : trace::check_invariants(t)) {
    if (problem.find("finished before it started") != std::string::npos || problem.find(" times") != std::string::npos) {
      continue;
    }
    std::fprintf(stderr, "the measured trace of '%s' breaks an invariant: %s\n", run.c_str(), problem.c_str());
    std::abort();
  }
}

void read_as_the_programs_do(const trace::Trace& measured, const trace::Trace& predicted) {
  trace::compute_metrics(measured);
  cli::render_text_timeline(measured, cli::TimelineOptions{});
  cli::render_prediction_table({&predicted}, {&measured});
  real::starved_note(measured);
  cli::pace_note(measured);
  trace::outcome_lines(measured);
  NullBuffer nothing;
  std::ostream out(&nothing);
  trace::write_spans_csv(out, {&measured});
  trace::write_events_csv(out, {&measured});
  trace::write_chrome_trace(out, {&measured});  // not the prediction's: the same every input
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInputBytes) return -1;  // not added to the corpus
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  cpython::CPythonRecording recording;
  try {
    recording = cpython::parse_cpython_recording(text, "fuzz.txt");
  } catch (const cpython::CPythonTraceError&) {
    return 0;
  }
  for (const PredictedRun& p : predicted_runs()) {
    try {
      const trace::Trace measured = cpython::cpython_trace(*p.scenario, *p.run, recording);
      check_lanes(measured, p.run->name);
      read_as_the_programs_do(measured, p.predicted);
    } catch (const cpython::CPythonTraceError&) {
    }
  }
  return 0;
}

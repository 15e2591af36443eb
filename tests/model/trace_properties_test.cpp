// Properties every simulated run has: sound traces, and the same trace for the same seed.
#include <doctest/doctest.h>

#include "model_fixtures.hpp"
#include "sim/trace/trace_checks.hpp"

using namespace gilsim;
using namespace gilsim::test;
using scenario::Executor;

namespace {

scenario::Scenario mixed_scenario() {
  scenario::Scenario s;
  s.machine.cores = 2;
  s.seed = 42;
  s.python.switch_interval = 1_ms;
  scenario::Step jittery_io = io(0_ms);
  jittery_io.duration = scenario::Duration{scenario::Duration::Kind::Exponential, 3_ms, 0_ms};
  add_jobs(s, "crunch", 3, {cpu(20_ms), native(5_ms), cpu(10_ms)});
  add_jobs(s, "fetch", 5, {jittery_io, cpu(1_ms), sleep_for(2_ms), cpu(500_us)});
  add_jobs(s, "offload", 2, {scenario::Step{scenario::StepKind::Offload, scenario::Duration::fixed(4_ms),
                                             scenario::StepKind::Cpu}});
  for (const auto executor : {Executor::Sequential, Executor::Threads, Executor::ThreadPool, Executor::Asyncio,
                              Executor::ProcessPool}) {
    scenario::Run run;
    run.name = std::string(scenario::to_string(executor));
    run.executor = executor;
    s.runs.push_back(run);
  }
  scenario::Run old_gil;
  old_gil.name = "threads, old GIL";
  old_gil.executor = Executor::Threads;
  old_gil.gil = scenario::GilMode::Old;
  s.runs.push_back(old_gil);
  scenario::Run no_gil = old_gil;
  no_gil.name = "threads, no GIL";
  no_gil.gil = scenario::GilMode::None;
  s.runs.push_back(no_gil);
  return s;
}

bool same_trace(const trace::Trace& a, const trace::Trace& b) {
  if (a.end != b.end || a.lanes.size() != b.lanes.size() || a.marks.size() != b.marks.size()) return false;
  for (std::size_t l = 0; l < a.lanes.size(); ++l) {
    const auto& x = a.lanes[l].spans;
    const auto& y = b.lanes[l].spans;
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (x[i].begin != y[i].begin || x[i].end != y[i].end || x[i].state != y[i].state ||
          x[i].subject != y[i].subject || x[i].step != y[i].step) {
        return false;
      }
    }
  }
  for (std::size_t i = 0; i < a.marks.size(); ++i) {
    if (a.marks[i].at != b.marks[i].at || a.marks[i].kind != b.marks[i].kind || a.marks[i].lane != b.marks[i].lane ||
        a.marks[i].other != b.marks[i].other || a.marks[i].value != b.marks[i].value) {
      return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("every executor and GIL mode produces a sound trace") {
  const auto s = mixed_scenario();
  for (const auto& run : s.runs) {
    CAPTURE(run.name);
    const auto t = model::simulate(s, run);
    const auto problems = trace::check_invariants(t);
    for (const auto& p : problems) FAIL_CHECK(p);
    for (const auto& job : t.jobs) CHECK(job.end <= t.end);
  }
}

TEST_CASE("the same scenario and seed give the same trace; another seed another race") {
  const auto s = mixed_scenario();
  for (const auto& run : s.runs) {
    CAPTURE(run.name);
    CHECK(same_trace(model::simulate(s, run), model::simulate(s, run)));
  }
  auto reseeded = s;
  reseeded.seed = 43;
  CHECK_FALSE(same_trace(model::simulate(s, s.runs[1]), model::simulate(reseeded, reseeded.runs[1])));
}

TEST_CASE("every run of a scenario works on the same job durations") {
  const auto s = mixed_scenario();
  const auto seq = model::simulate(s, s.runs[0]);
  const auto threads = model::simulate(s, s.runs[1]);
  // Sequential: makespan is the sum of all steps, identical whatever the executor drew.
  Time total_blocking = Time::zero();
  for (const auto& lane : threads.lanes) {
    total_blocking += time_in(lane, trace::SpanState::BlockedIo);
  }
  CHECK(time_in(lane_named(seq, "main"), trace::SpanState::BlockedIo) == total_blocking);
}

// One judgement of a measured run for the command line, the viewer and the fidelity page:
// stopped, starved (gilsim's executor's runs by CPython's rule), and the causes that explain
// an error away only outside the tolerance.
#include <doctest/doctest.h>

#include "sim/real/judgement.hpp"
#include "sim/trace/trace_builder.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using trace::CpuCheck;
using trace::Origin;

namespace {

/// One thread computing for `length` with one job that finishes (or not, `finished` false).
trace::Trace one_thread(Time length, Origin origin, bool finished = true) {
  trace::TraceBuilder b("sequential", "sequential", "new", origin, 2, 5_ms);
  b.add_cores(2);
  const auto p = b.add_process("main", true);
  const auto lane = b.add_lane("T1", trace::LaneKind::Thread, p);
  const auto tpl = b.add_template("work", {"cpu"});
  const auto job = b.add_job("work", tpl);
  b.job_started(job, lane, 0_ms);
  b.set_state(lane, 0_ms, trace::SpanState::Running, job);
  b.set_state(b.core_lane(0), 0_ms, trace::SpanState::Running, lane);
  b.clear_state(lane, length);
  b.clear_state(b.core_lane(0), length);
  if (finished) b.job_finished(job, length);
  return b.finish(length);
}

}  // namespace

TEST_CASE("gilsim's executor's waits for a core are the CPU its threads needed but did not get") {
  CpuCheck c{true, 0.5, 1, 600_ms, 400_ms, 2, 0};
  const real::CoreShortfall s = real::core_shortfall(c);
  CHECK(s.waited == 200_ms);
  CHECK(s.ran == 600_ms);
  c.got = 700_ms;  // the executor's own work beyond the plan: no waits, not negative ones
  CHECK(real::core_shortfall(c).waited == Time::zero());
  // Sampled: others used 800 ms of 2 CPUs' 700 ms, and 200 ms of waits in a 600 ms run.
  c.got = 400_ms;
  c.sampled_wall = 700_ms;
  c.machine_busy = 1200_ms;
  c.own_cpu = 400_ms;
  c.tick = 10_ms;
  c.sampled_cpus = 2;
  CHECK(real::starved(c, real::core_shortfall(c), 600_ms));
  CHECK_FALSE(real::starved(c, real::core_shortfall(c), 3_s));  // 200 ms cannot move 3 s by 10%
  c.machine_busy = 420_ms;  // quiet: the waits are no evidence of other programs
  CHECK_FALSE(real::starved(c, real::core_shortfall(c), 600_ms));
}

TEST_CASE("a measured run is judged once: stopped, starved, then causes outside the tolerance only") {
  const trace::Trace predicted = one_thread(100_ms, Origin::Simulated);
  const auto judged = [&](const trace::Trace& p, const trace::Trace& m) {
    return real::judge(p, trace::compute_metrics(p), m, trace::compute_metrics(m));
  };
  // A CPython run of `length` whose compute() ran 30% slower than calibrated.
  const auto slow_cpython = [](Time length) {
    trace::Trace m = one_thread(length, Origin::Measured);
    m.measured_by = "CPython 3.11";
    m.cpu_check.planned_compute = 100_ms;
    m.cpu_check.compute_took = 130_ms;
    return m;
  };
  SUBCASE("within the tolerance: the error, whatever its pace") {
    const real::Judgement j = judged(predicted, slow_cpython(105_ms));
    CHECK(j.scored());
    CHECK(real::error_cell(j) == "-4.8%");
  }
  SUBCASE("outside it: off pace, in place of the error") {
    const real::Judgement j = judged(predicted, slow_cpython(150_ms));
    CHECK_FALSE(j.scored());
    CHECK(real::error_cell(j) == "off pace*");
  }
  SUBCASE("the executor's own work: slower than predicted, well over the planned CPU") {
    trace::Trace m = one_thread(150_ms, Origin::Measured);
    m.cpu_check = CpuCheck{true, 0.5, 1, 150_ms, 150_ms, 2, 0};
    const real::Judgement j = judged(predicted, m);
    CHECK(j.planned_cpu == 100_ms);
    CHECK(real::error_cell(j) == "executor*");
    CHECK(real::executor_cost(m.cpu_check, j.planned_cpu, j.error));
    CHECK_FALSE(real::executor_cost(m.cpu_check, j.planned_cpu, 0.3));  // faster than predicted: not the executor's
  }
  SUBCASE("starved of its cores, whatever the error") {
    trace::Trace m = one_thread(102_ms, Origin::Measured);
    m.cpu_check = CpuCheck{true, 0.5, 1, 100_ms, 50_ms, 2, 0};  // no sample: half the CPU it needed
    const real::Judgement j = judged(predicted, m);
    REQUIRE(j.starved);
    CHECK_FALSE(j.scored());
    CHECK(real::error_cell(j) == "not scored");
  }
  SUBCASE("stopped before its last job: no error, which side says") {
    const trace::Trace stuck = one_thread(20_ms, Origin::Simulated, false);
    trace::Trace m = one_thread(30_ms, Origin::Measured, false);
    CHECK(real::error_cell(judged(stuck, m)) == "both stopped");
    CHECK(real::error_cell(judged(predicted, m)) == "measured stopped");
    const real::Judgement j = judged(stuck, one_thread(100_ms, Origin::Measured));
    CHECK(real::error_cell(j) == "predicted stopped");
    CHECK(real::stopped_note("threads", j) ==
          "'threads': the model's run stopped before its last job and the measured one finished: the prediction missed.");
  }
}

TEST_CASE("one rule says whether a measured run is scored, for its error cell and every mark alike") {
  const trace::Trace predicted = one_thread(100_ms, Origin::Simulated);
  const auto judged = [&](const trace::Trace& m, bool seen_too_little = false) {
    return real::judge(predicted, trace::compute_metrics(predicted), m, trace::compute_metrics(m), seen_too_little);
  };
  // A CPython run of `length` whose compute() ran 17% slower than calibrated.
  const auto slow_cpython = [](Time length) {
    trace::Trace m = one_thread(length, Origin::Measured);
    m.measured_by = "CPython 3.11";
    m.cpu_check.planned_compute = 100_ms;
    m.cpu_check.compute_took = 117_ms;
    return m;
  };
  SUBCASE("off pace within the tolerance: scored, no reason to mark it") {
    // Lesson 04's asyncio: 2.022 s predicted, 2.028 s measured, 17% slower than calibrated;
    // its speed-ups were marked '?' as dividing by a run "not scored".
    const trace::Trace m = slow_cpython(100300_us);
    const real::Judgement j = judged(m);
    CHECK(j.scored());
    CHECK(real::error_cell(j) == "-0.3%");
    CHECK_FALSE(real::unscored_reason(m, j));
  }
  SUBCASE("off pace outside the tolerance: the cell's cause is the mark's reason") {
    const trace::Trace m = slow_cpython(118_ms);
    const real::Judgement j = judged(m);
    CHECK(real::error_cell(j) == "off pace*");
    CHECK(real::unscored_reason(m, j) == "its CPU ran 17% slower than calibrated");
  }
  SUBCASE("a recording that saw too little: not scored whatever its error, and said first") {
    const trace::Trace m = slow_cpython(118_ms);
    const real::Judgement j = judged(m, true);
    CHECK_FALSE(j.scored());
    CHECK(real::error_cell(j) == "not scored");
    CHECK(real::unscored_reason(m, j) == "its recording saw too little of its jobs");
    CHECK(real::error_cell(judged(slow_cpython(101_ms), true)) == "not scored");
  }
  SUBCASE("the executor's own work outside the tolerance") {
    trace::Trace m = one_thread(150_ms, Origin::Measured);
    m.cpu_check = CpuCheck{true, 0.5, 1, 150_ms, 150_ms, 2, 0};
    CHECK(real::unscored_reason(m, judged(m)) == "the executor's own work");
  }
  SUBCASE("a busy machine, whatever the error") {
    trace::Trace m = one_thread(102_ms, Origin::Measured);
    m.cpu_check = CpuCheck{true, 0.5, 1, 100_ms, 50_ms, 2, 0};  // no sample: half the CPU it needed
    CHECK(real::unscored_reason(m, judged(m)) == "busy machine");
    CHECK(real::unscored_reason(m, real::judge_alone(m)) == "busy machine");  // with no prediction too
  }
  SUBCASE("with no prediction, no error: off pace decides nothing, a recording that saw too little does") {
    const trace::Trace m = slow_cpython(150_ms);
    CHECK(real::judge_alone(m).scored());
    CHECK_FALSE(real::unscored_reason(m, real::judge_alone(m)));
    CHECK(real::unscored_reason(m, real::judge_alone(m, true)) == "its recording saw too little of its jobs");
  }
  SUBCASE("a prediction is never marked") {
    CHECK_FALSE(real::unscored_reason(predicted, real::judge_alone(predicted, true)));
  }
}

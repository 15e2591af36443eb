// A measured run's header says when a busy machine slowed it, so a class does not read its
// error as the model's.
#include <doctest/doctest.h>

#include <filesystem>

#include "viz/app_state.hpp"
#include "viz/run_caveats.hpp"

using namespace gilsim;

namespace {
trace::Trace measured_run(Time needed, Time got, int others_runnable) {
  trace::Trace run;
  run.origin = trace::Origin::Measured;
  run.cpu_check.checked = true;
  run.cpu_check.cpus = 2;
  run.cpu_check.machine_cpus = 2;
  run.cpu_check.needed = needed;
  run.cpu_check.got = got;
  run.cpu_check.others_runnable = others_runnable;
  return run;
}
/// A CPython run whose one thread ran Python 100 ms, then waited 50 ms for a core.
trace::Trace waiting_cpython_run() {
  trace::Trace run;
  run.origin = trace::Origin::Measured;
  run.measured_by = "CPython 3.11";
  trace::Span running{}, waiting{};
  running.begin = Time::zero();
  running.end = waiting.begin = Time{100'000'000};
  running.state = trace::SpanState::Running;
  waiting.end = Time{150'000'000};
  waiting.state = trace::SpanState::Runnable;
  run.lanes.push_back(trace::Lane{"T1", trace::LaneKind::Thread, 0, {running, waiting}});
  run.end = Time{150'000'000};
  return run;
}
}  // namespace

TEST_CASE("a measured run's header flags a busy machine, never a simulated or well-fed run") {
  SUBCASE("a run that got a third of the CPU it needed") {
    const auto caveat = viz::measurement_caveat(measured_run(Time{300'000'000}, Time{100'000'000}, 0));
    REQUIRE(caveat);
    CHECK(*caveat == "busy machine: got 33% of the CPU it needed; not scored");
  }
  SUBCASE("a run that started with other threads ready on every CPU") {
    const auto caveat = viz::measurement_caveat(measured_run(Time{300'000'000}, Time{300'000'000}, 2));
    REQUIRE(caveat);
    CHECK(*caveat == "busy machine: 2 other threads were ready as it started; not scored");
  }
  SUBCASE("one other thread ready: said in the singular") {
    const auto caveat = viz::measurement_caveat(measured_run(Time{300'000'000}, Time{300'000'000}, 1));
    REQUIRE(caveat);
    CHECK(*caveat == "busy machine: 1 other thread was ready as it started; not scored");
  }
  SUBCASE("a CPython run whose CPU ran 18% slower than calibrated") {
    trace::Trace run = measured_run(Time{300'000'000}, Time{300'000'000}, 0);
    run.cpu_check.planned_compute = Time{1'000'000'000};
    run.cpu_check.compute_took = Time{1'180'000'000};
    const auto caveat = viz::measurement_caveat(run);
    REQUIRE(caveat);
    CHECK(*caveat == "CPU ran 18% slower than calibrated (the host's speed drifts); not scored");
    run.cpu_check.compute_took = Time{1'090'000'000};  // within the tolerance
    CHECK_FALSE(viz::measurement_caveat(run));
  }
  SUBCASE("a CPython run whose threads waited for a core (no CPU check of its own)") {
    // 50 ms waiting for a core beside 100 ms of Python: more than 10%
    const trace::Trace run = waiting_cpython_run();
    const auto caveat = viz::measurement_caveat(run);
    REQUIRE(caveat);
    CHECK(*caveat == "busy machine: its threads waited for a core; not scored");
  }
  SUBCASE("a CPython run sampled beside other programs: the command line's rule, with the share they used") {
    trace::Trace run = waiting_cpython_run();  // 50 ms of waits in a 150 ms run: enough to move its figure
    run.cpu_check.sampled_wall = Time{200'000'000};
    run.cpu_check.tick = Time{10'000'000};
    run.cpu_check.sampled_cpus = 2;
    run.cpu_check.own_cpu = Time{100'000'000};
    run.cpu_check.machine_busy = Time{356'000'000};  // others: 256 ms of 2 cores' 200 ms
    const auto caveat = viz::measurement_caveat(run);
    REQUIRE(caveat);
    CHECK(*caveat == "busy machine: other programs used 64% of the 2 cores; not scored");
    run.cpu_check.machine_busy = Time{110'000'000};  // a quiet machine: the waits are its own
    CHECK_FALSE(viz::measurement_caveat(run));
  }
  SUBCASE("native steps that took far more CPU than planned: the command line's sentence, not a flag") {
    trace::Trace run = measured_run(Time{300'000'000}, Time{300'000'000}, 0);
    run.run_name = "threads";
    run.cpu_check.planned_native = Time{100'000'000};
    run.cpu_check.native_took = Time{230'000'000};
    CHECK_FALSE(viz::measurement_caveat(run));
    const auto note = viz::native_caveat(run);
    REQUIRE(note);
    CHECK(note->rfind("'threads': its native steps (hash_data()) took 230 ms of CPU for 100 ms planned", 0) == 0);
    run.cpu_check.native_took = Time{110'000'000};
    CHECK_FALSE(viz::native_caveat(run));
  }
  SUBCASE("a run that got what it needed") {
    CHECK_FALSE(viz::measurement_caveat(measured_run(Time{300'000'000}, Time{290'000'000}, 0)));
  }
  SUBCASE("a simulated run") {
    trace::Trace run = measured_run(Time{300'000'000}, Time{100'000'000}, 0);
    run.origin = trace::Origin::Simulated;
    CHECK_FALSE(viz::measurement_caveat(run));
  }
}

TEST_CASE("a run flagged as measured on a busy machine has no prediction error to show") {
  viz::AppState app;
  REQUIRE(app.session.open(std::filesystem::path(GILSIM_SOURCE_DIR) / "tests/viz/data/tiny_real.toml"));
  viz::refresh_derived(app);
  const trace::Trace prediction = app.session.runs().front();
  const auto measure = [&](Time got) {
    trace::Trace m = prediction;  // the measurement took twice the predicted time
    m.origin = trace::Origin::Measured;
    m.end = prediction.end + prediction.end;
    m.cpu_check = measured_run(Time{300'000'000}, got, 0).cpu_check;
    app.session.add_measured(std::move(m));
    viz::refresh_derived(app);
    return static_cast<std::uint32_t>(app.session.runs().size() - 1);
  };
  SUBCASE("well fed: scored") {
    const std::uint32_t r = measure(Time{300'000'000});
    REQUIRE(app.runs[r].predicted_by == 0);
    CHECK(viz::prediction_error_of(app, r).has_value());
  }
  SUBCASE("a third of the CPU it needed: not scored, as its header says") {
    const std::uint32_t r = measure(Time{100'000'000});
    REQUIRE(app.runs[r].predicted_by == 0);
    REQUIRE(viz::measurement_caveat(app.session.runs()[r]));
    CHECK_FALSE(viz::prediction_error_of(app, r).has_value());
  }
}

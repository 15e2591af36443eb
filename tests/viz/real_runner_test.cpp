// Running a scenario for real in the background: the runner finishes and hands over measured
// traces, reports progress, refuses what cannot run here, and stops promptly when cancelled;
// the viewer stacks the measured runs under their predictions and drops them on a reload.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "sim/real/execute.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/trace/trace_checks.hpp"
#include "viz/app_state.hpp"
#include "viz/real_runner.hpp"
#include "viz/run_caveats.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using Kind = RealOutcome::Kind;

namespace {

const std::filesystem::path kTiny = std::filesystem::path(GILSIM_SOURCE_DIR) / "tests/viz/data/tiny_real.toml";

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

const std::filesystem::path kSleepy = std::filesystem::path(GILSIM_SOURCE_DIR) / "tests/viz/data/sleepy_real.toml";

scenario::Scenario sleepy_scenario() { return scenario::load_file(kSleepy); }

/// Promptly: well before the sleepy scenario's 30 s sleeps end, not a time a loaded machine
/// keeps to (at load 16 a real run took 7.6 s from its start to its stop; tests/real).
constexpr double kPromptSeconds = 15.0;

/// Waits until the runner's first run is being measured (real::execute reports its progress
/// from its first 10 ms on), not a guessed time a slow machine may not have started it by.
void wait_until_measuring(const RealRunner& runner) {
  while (runner.running() && runner.progress().jobs_total == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

}  // namespace

TEST_CASE("the runner measures every run in order and hands over valid traces") {
  RealRunner runner;
  runner.start(scenario::load_file(kTiny));
  CHECK(runner.running());
  runner.wait();
  CHECK_FALSE(runner.running());
  const RealProgress progress = runner.progress();
  CHECK(progress.run_count == 2);
  CHECK(progress.run_index == 1);
  CHECK(progress.run_name == "threads");
  CHECK(progress.jobs_total == 2);
  CHECK(progress.jobs_done == 2);

  std::vector<RealOutcome> outcomes = runner.take_finished();
  REQUIRE(outcomes.size() == 2);
  CHECK(outcomes[0].run_name == "sequential");
  CHECK(outcomes[1].run_name == "threads");
  for (const RealOutcome& o : outcomes) {
    CAPTURE(o.run_name);
    CAPTURE(o.message);
    REQUIRE(o.kind == Kind::Measured);
    REQUIRE(o.trace.has_value());
    CHECK(o.trace->origin == trace::Origin::Measured);
    CHECK(o.trace->run_name == o.run_name);
    CHECK(trace::check_invariants(*o.trace).empty());
    // At least one job's 2 ms wait and a quarter of its 3 ms of work: the busy loop's pace
    // can double after its calibration (tests/real's Pace), and the threads' run of two such
    // jobs then lasts about 5 ms in all.
    CHECK(o.trace->end >= Time{2'750'000});
  }
  CHECK(runner.take_finished().empty());
}

TEST_CASE("a run this machine cannot take is refused with the reason, and the next one still runs") {
  scenario::Scenario s = scenario::load_file(kTiny);
  s.jobs.front().count = 300;  // one thread per job: over the real executors' thread limit
  s.runs.front().executor = scenario::Executor::Threads;
  s.runs.back().executor = scenario::Executor::Sequential;
  s.jobs.front().steps = {s.jobs.front().steps.back()};  // 2 ms of waiting each: quick in sequence too
  RealRunner runner;
  runner.start(s);
  runner.wait();
  const auto outcomes = runner.take_finished();
  REQUIRE(outcomes.size() == 2);
  CHECK(outcomes[0].kind == Kind::Refused);
  CHECK(outcomes[0].message.find("limit") != std::string::npos);
  CHECK(outcomes[1].kind == Kind::Measured);
  // The list names the run once: the reason names it already.
  const std::string line = viz::outcome_line(outcomes[0]);
  CHECK(line == outcomes[0].message);
  const std::string named = "'" + outcomes[0].run_name + "'";
  REQUIRE(line.find(named) != std::string::npos);
  CHECK(line.find(named, line.find(named) + 1) == std::string::npos);
  CHECK(line.find(outcomes[0].run_name + ":") == std::string::npos);
}

TEST_CASE("a failed or refused run's line names the run once, whether its message names it or not") {
  using viz::RealOutcome;
  CHECK(viz::outcome_line(RealOutcome{Kind::Failed, "threads", std::nullopt, "the real run 'threads' failed: boom"}) ==
        "the real run 'threads' failed: boom");
  CHECK(viz::outcome_line(RealOutcome{Kind::Failed, "threads", std::nullopt, "python3 not found"}) ==
        "threads failed: python3 not found");
  CHECK(viz::outcome_line(RealOutcome{Kind::Refused, "threads", std::nullopt, "too many threads"}) ==
        "threads: not run here: too many threads");
  CHECK(viz::outcome_line(RealOutcome{Kind::Cancelled, "threads", std::nullopt, "not started: cancelled"}) ==
        "threads: cancelled");
}

TEST_CASE("cancelling stops the running run promptly and starts no other") {
  RealRunner runner;
  runner.start(sleepy_scenario());
  wait_until_measuring(runner);
  CHECK(runner.running());
  const auto began = std::chrono::steady_clock::now();
  runner.cancel();
  runner.wait();
  CHECK(seconds_since(began) < kPromptSeconds);
  const auto outcomes = runner.take_finished();
  REQUIRE(outcomes.size() == 2);
  CHECK(outcomes[0].kind == Kind::Cancelled);
  CHECK(outcomes[0].message.find("was interrupted after") != std::string::npos);  // stopped while it ran
  CHECK(outcomes[1].kind == Kind::Cancelled);
  CHECK(outcomes[1].message == "not started: cancelled");
  CHECK_FALSE(outcomes[1].trace.has_value());
}

TEST_CASE("destroying a busy runner cancels and joins it") {
  std::chrono::steady_clock::time_point began;
  {
    RealRunner runner;
    runner.start(sleepy_scenario());
    wait_until_measuring(runner);
    began = std::chrono::steady_clock::now();
  }
  CHECK(seconds_since(began) < kPromptSeconds);
}

TEST_CASE("measured runs join the session under their predictions and leave on a reload") {
  AppState app;
  REQUIRE(app.session.open(kTiny));
  refresh_derived(app);
  CHECK_FALSE(app.session.fitted_to_this_machine());
  start_measuring(app);
  CHECK(app.session.fitted_to_this_machine());
  CHECK(app.session.scenario().machine.cores == real::available_cpus());
  app.measuring.runner.wait();
  // Zoomed onto the first millisecond: the measured runs arrive without undoing the zoom.
  app.fit_pending = false;
  app.view.set(0.5e6, 1e3);
  collect_measurements(app);
  CHECK_FALSE(app.fit_pending);

  const auto& runs = app.session.runs();
  REQUIRE(runs.size() == 4);
  REQUIRE(app.runs.size() == 4);
  CHECK(runs[2].origin == trace::Origin::Measured);
  CHECK(runs[2].run_name == "sequential");
  CHECK(app.runs[2].predicted_by == 0);
  CHECK(app.runs[3].predicted_by == 1);
  CHECK(app.runs[0].predicted_by == trace::kNone);
  CHECK(stacking_order(runs) == std::vector<std::uint32_t>{0, 2, 1, 3});
  const auto error = prediction_error_of(app, 3);
  if (not_scored(app, 3)) {
    CHECK_FALSE(error.has_value());  // measured on a busy machine, or its error explained: not scored
  } else {
    REQUIRE(error.has_value());
    CHECK(*error > -1.0);  // a makespan is positive: the prediction is never 100% under
  }
  CHECK(app.measuring.outcomes.size() == 2);

  SUBCASE("a knob change re-runs the model and drops the measurements") {
    Knobs k;
    k.jobs = 3;
    REQUIRE(app.session.set_knobs(k));
    refresh_derived(app);
    collect_measurements(app);
    CHECK(app.session.runs().size() == 2);
    CHECK(app.measuring.outcomes.empty());
  }
  SUBCASE("predicting for the file's cores again drops them too") {
    REQUIRE(app.session.fit_to_this_machine(false));
    refresh_derived(app);
    collect_measurements(app);
    CHECK(app.session.runs().size() == 2);
    CHECK_FALSE(app.session.fitted_to_this_machine());
  }
  SUBCASE("running again replaces them") {
    start_measuring(app);
    CHECK(app.session.runs().size() == 2);
    app.measuring.runner.wait();
    collect_measurements(app);
    CHECK(app.session.runs().size() == 4);
  }
}

TEST_CASE("a reload while measuring stops the runner and drops what it still delivers") {
  AppState app;
  REQUIRE(app.session.open({}));
  refresh_derived(app);
  app.measuring.runner.start(sleepy_scenario());
  app.measuring.scenario_generation = app.session.scenario_generation();
  Knobs one_core;
  one_core.cores = 1;
  REQUIRE(app.session.set_knobs(one_core));
  collect_measurements(app);
  CHECK(app.measuring.stopped_by_change);
  app.measuring.runner.wait();
  collect_measurements(app);
  CHECK(app.measuring.outcomes.empty());
  for (const trace::Trace& t : app.session.runs()) CHECK(t.origin == trace::Origin::Simulated);
}

TEST_CASE("the runner can run the scenario in CPython instead, with the same outcomes") {
  RealRunner runner;
  runner.start(scenario::load_file(kTiny), Time{120'000'000'000}, RealSource::CPython);
  runner.wait();
  std::vector<RealOutcome> outcomes = runner.take_finished();
  REQUIRE(outcomes.size() == 2);
  for (const RealOutcome& o : outcomes) {
    CAPTURE(o.run_name);
    CAPTURE(o.message);
    REQUIRE(o.kind == Kind::Measured);
    REQUIRE(o.trace.has_value());
    CHECK(o.trace->measured_by.rfind("CPython 3.", 0) == 0);
    CHECK(o.trace->lanes.at(o.trace->processes.at(0).gil_lane).name == "GIL, inferred");
    CHECK(trace::check_invariants(*o.trace).empty());
  }
}

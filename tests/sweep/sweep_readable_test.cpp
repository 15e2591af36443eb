// What a sweep says about a run that did not finish (no makespan, no speed-up, in the figures
// and both files), and how its values read: gilsim's own formats, an axis's own name.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>
#include <string>

#include "sim/scenario/loader.hpp"
#include "sim/sweep/sweep_export.hpp"
#include "sim/sweep/sweep_results.hpp"

using namespace gilsim;

namespace {

const std::string kScenarios = std::string(GILSIM_SOURCE_DIR) + "/scenarios/";

sweep::SweepPlan plan_of(const std::string& file, std::vector<std::string> vary, int seeds = 1) {
  sweep::SweepRequest r;
  r.file = kScenarios + file;
  r.vary = std::move(vary);
  r.seeds = seeds;
  return sweep::make_plan(r);
}

}  // namespace

TEST_CASE("a deadlocked run has no speed-up in a sweep, at every point and seed, and says why") {
  // Lesson 16's threads stop at 1.08 ms, deadlocked: 6 ms / 1.08 ms read as a 5.5x speed-up.
  const auto plan = plan_of("16-deadlock.toml", {"cores=1..3"}, 2);
  const auto result = sweep::run_sweep_here(plan);
  for (std::size_t point = 0; point < plan.points(); ++point) {
    for (int seed = 0; seed < plan.seeds; ++seed) {
      const sweep::RunFigures& sequential = result.at(point, seed, 0);
      CHECK(sequential.finished);
      CHECK(sequential.speedup == doctest::Approx(1.0));
      const sweep::RunFigures& threads = result.at(point, seed, 1);
      CHECK_FALSE(threads.finished);
      CHECK(threads.deadlocked);
      CHECK(std::isnan(threads.speedup));
      CHECK(std::string(sweep::outcome_word(threads)) == "deadlock");
    }
    const sweep::PointSummary s = sweep::summarise(result, point, 1);
    CHECK_FALSE(s.finished());
    CHECK(s.unfinished == 2);
    CHECK(std::isnan(s.speedup.mean));
    CHECK(std::isnan(s.makespan_ns.mean));
    CHECK(sweep::unfinished_text(s, plan.seeds) == "deadlocked");
    CHECK(sweep::summarise(result, point, 0).finished());
  }
  sweep::PointSummary some;
  some.unfinished = some.deadlocked = 2;
  CHECK(sweep::unfinished_text(some, 5) == "deadlocked in 2 of 5 seeds");
  some.deadlocked = 1;
  CHECK(sweep::unfinished_text(some, 2) == "did not finish");
}

TEST_CASE("a sweep's CSV and JSON leave a run that did not finish without makespan or speed-up, and say why") {
  const auto plan = plan_of("16-deadlock.toml", {"cores=1,2"});
  const auto result = sweep::run_sweep_here(plan);
  std::ostringstream csv, json;
  sweep::write_sweep_csv(csv, plan, result);
  sweep::write_sweep_json(json, plan, result);
  const std::string c = csv.str();
  CHECK(c.rfind("point,cores,seed,run,makespan_ns,speedup,cores_busy,gil_held,gil_lanes,gil_wait_ns,switches,"
                "jobs_done,lost_updates,outcome\n", 0) == 0);
  CHECK(c.find(",sequential,6000400,1.000000,") != std::string::npos);
  CHECK(c.find(",finished\n") != std::string::npos);
  CHECK(c.find(",threads,,,") != std::string::npos);
  CHECK(c.find(",0,,deadlock\n") != std::string::npos);  // jobs_done 0, no counters, and why
  CHECK(c.find("5.5") == std::string::npos);
  const std::string j = json.str();
  CHECK(j.find("\"makespan_ns\": null") != std::string::npos);
  CHECK(j.find("\"speedup\": null") != std::string::npos);
  CHECK(j.find("\"outcome\": \"deadlock\"") != std::string::npos);
  CHECK(j.find("\"outcome\": \"finished\"") != std::string::npos);
}

TEST_CASE("a varied key named as a column of the figures is told apart in the CSV's header") {
  const auto plan = plan_of("01-cpu-bound.toml", {"seed=1,2"});
  const auto result = sweep::run_sweep_here(plan);
  std::ostringstream csv;
  sweep::write_sweep_csv(csv, plan, result);
  CHECK(csv.str().rfind("point,seed (varied),seed,run,makespan_ns,", 0) == 0);
}

TEST_CASE("sweep values read as gilsim writes them elsewhere; the values themselves stay as --set takes them") {
  CHECK(sweep::readable_value("switch_interval", "1600us") == "1.60 ms");
  CHECK(sweep::readable_value("job.request.steps.2.io", "0ms") == "0 s");
  CHECK(sweep::readable_value("job.crunch.result_bytes", "10000000") == "10 MB");
  CHECK(sweep::readable_value("job.crunch.result_bytes", "100") == "100 B");
  CHECK(sweep::readable_value("job.crunch.arg_bytes", "1500") == "1.5 kB");
  CHECK(sweep::readable_value("jobs", "10000") == "10,000");
  CHECK(sweep::readable_value("workers", "4") == "4");
  CHECK(sweep::readable_value("gil", "free_threaded") == "free_threaded");
  CHECK(sweep::format_bytes(999'999) == "1 MB");
  CHECK(sweep::format_bytes(100'000'000) == "100 MB");
  const auto plan = plan_of("15-lost-update.toml", {"switch_interval=0.1ms..5ms*2"});
  const sweep::Axis& axis = plan.axes.front();
  CHECK(axis.values.front()[4] == "1600us");  // what a command or a file gets
  CHECK(axis.shown(0, 4) == "1.60 ms");       // what a person reads
  CHECK(plan.point_label(4) == "switch_interval=1600us");
  CHECK(plan.point_text(4) == "switch_interval = 1.60 ms");
}

TEST_CASE("an axis may carry its own name before a colon, for the charts") {
  const sweep::Axis named = sweep::parse_axis(
      "waiting per 100 ms request: job.request.steps.2.io=0ms..90ms:10ms; job.request.steps.1.cpu=100ms..10ms:10ms");
  CHECK(named.name == "waiting per 100 ms request");
  CHECK(named.label() == "waiting per 100 ms request");
  REQUIRE(named.keys.size() == 2);
  CHECK(named.keys.front() == "job.request.steps.2.io");
  CHECK(named.size() == 10);
  CHECK(sweep::axis_key("pool: workers=1..4") == "workers");
  CHECK(sweep::axis_key("workers=1..4") == "workers");
  // Without a name, the keys; a colon after '=' is a step, not a name.
  const sweep::Axis plain = sweep::parse_axis("job.request.steps.2.io=0ms..90ms:10ms");
  CHECK(plain.name.empty());
  CHECK(plain.label() == "job.request.steps.2.io");
  // The option named in errors: gilviz says --sweep.
  CHECK_THROWS_WITH_AS(sweep::parse_axis("workers=1..16:0", "--sweep"),
                       doctest::Contains("--sweep workers=1..16:0"), scenario::ScenarioError);
}

TEST_CASE("why runs draw alike, one sentence for gilsim sweep and the viewer's plot") {
  // `gilviz 09 --sweep workers=1..16` drew four flat curves under the names Pool(2), Pool(),
  // Pool(8) and Pool(16), which the sweep had made untrue, and said nothing of why.
  const sweep::SweepPlan plan = plan_of("09-pool-sizing.toml", {"workers=1..16"});
  const std::vector<std::string> notes = sweep::alike_runs_notes(plan);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0] ==
        "'Pool()', 'Pool(8)' and 'Pool(16)' run as 'Pool(2)' at every point: the varied value sets them alike, and the "
        "same settings give the same figures: the speed-up against it is 1.00x. Vary one run's own key (run.NAME.KEY) "
        "to compare them.");
  CHECK(sweep::alike_runs_notes(plan_of("01-cpu-bound.toml", {"cores=1..4"})).empty());
}

// A run in which no thread ever waited for a GIL is the same under any switch interval
// (switch_interval_cannot_change), checked against real re-simulations of every bundled
// scenario; and simulate_all() reusing such runs gives the runs it simulates.
#include <doctest/doctest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"
#include "tests/same_runs.hpp"

using namespace gilsim;

namespace {

std::vector<std::filesystem::path> bundled_scenarios() {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(GILSIM_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() == ".toml") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

scenario::Scenario with_interval(const std::filesystem::path& file, const char* interval) {
  return scenario::load_file(file, {{"switch_interval", interval}});
}

}  // namespace

TEST_CASE("a run no thread of which waited for a GIL is the same under every switch interval") {
  int unchanged = 0, changeable = 0;
  for (const auto& file : bundled_scenarios()) {
    CAPTURE(file.filename().string());
    const scenario::Scenario s = scenario::load_file(file);
    for (const scenario::Run& run : s.runs) {
      CAPTURE(run.name);
      const trace::Trace shown = model::simulate(s, run);
      if (!model::switch_interval_cannot_change(shown)) {
        ++changeable;
        continue;
      }
      ++unchanged;
      for (const char* interval : {"100us", "1ms", "50ms"}) {
        CAPTURE(interval);
        const scenario::Scenario moved = with_interval(file, interval);
        const trace::Trace again = model::simulate(moved, moved.runs[static_cast<std::size_t>(&run - s.runs.data())]);
        // The same in all but the interval it was simulated under (checked below).
        CHECK(test::first_difference(again, shown, {.switch_interval = true}) == "");
        CHECK(again.end == shown.end);
        CHECK(again.switch_interval == scenario::effective_switch_interval(moved, moved.runs[static_cast<std::size_t>(&run - s.runs.data())]));
      }
    }
  }
  // The rule is not vacuous either way on the bundled lessons.
  CHECK(unchanged > 10);
  CHECK(changeable > 10);
}

TEST_CASE("lesson 15's runs without a GIL wait are reusable, its threads run is not") {
  const auto file = std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios/15-lost-update.toml";
  const scenario::Scenario s = scenario::load_file(file);
  REQUIRE(s.runs.size() == 3);
  const std::vector<trace::Trace> runs = model::simulate_all(s, 2);
  CHECK(model::switch_interval_cannot_change(runs[0]));   // sequential
  CHECK_FALSE(model::switch_interval_cannot_change(runs[1]));  // threads: GIL waits, drop requests
  CHECK(model::switch_interval_cannot_change(runs[2]));   // asyncio
  // The threads run does change with the interval (the file's is 100 µs): its waits end at
  // drop requests (the interval itself left out: what the run did differs).
  const scenario::Scenario moved = with_interval(file, "5ms");
  CHECK(test::first_difference(model::simulate(moved, moved.runs[1]), runs[1], {.switch_interval = true}) != "");
}

TEST_CASE("a partial run is never reusable") {
  trace::Trace run;
  CHECK(model::switch_interval_cannot_change(run));
  run.simulated_until = Time::zero();
  CHECK_FALSE(model::switch_interval_cannot_change(run));
  run.simulated_until = Time::max();
  run.origin = trace::Origin::Measured;
  CHECK_FALSE(model::switch_interval_cannot_change(run));
}

TEST_CASE("simulate_all reusing runs gives the runs it simulates under the new interval, and leaves the runs it copied") {
  for (const char* name : {"15-lost-update.toml", "10-pool-overhead.toml", "01-cpu-bound.toml", "11-old-gil.toml"}) {
    CAPTURE(name);
    const auto file = std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios" / name;
    const scenario::Scenario s = scenario::load_file(file);
    const std::vector<trace::Trace> before = model::simulate_all(s, 2);
    const scenario::Scenario moved = with_interval(file, "1ms");
    const std::vector<trace::Trace> simulated = model::simulate_all(moved, 2);
    for (unsigned threads : {1u, 2u, 8u}) {
      CAPTURE(threads);
      model::ReusedRuns reused;
      std::size_t offered = 0;
      for (const trace::Trace& run : before) {
        // Every run is offered, reusable or not: simulate_all takes only those the rule allows.
        reused.runs.push_back(&run);
        offered += model::switch_interval_cannot_change(run) ? 1 : 0;
      }
      std::shared_ptr<const model::SharedPlan> plan;
      model::Progress progress;
      const std::vector<trace::Trace> runs = model::simulate_all(moved, threads, &plan, &progress, &reused);
      CHECK(test::first_difference(runs, simulated) == "");
      for (std::size_t r = 0; r < runs.size(); ++r) {
        CHECK(runs[r].switch_interval == scenario::effective_switch_interval(moved, moved.runs[r]));
      }
      if (std::string(name) == "15-lost-update.toml") CHECK(offered == 2);
      for (std::size_t r = 0; r < runs.size(); ++r) CHECK(before[r].switch_interval == s.runs[r].switch_interval.value_or(s.python.switch_interval));
    }
  }
}

// What a run's counters and a deadlock come to, in the words the timeline shows: the lanes a
// deadlock's cycle leaves stuck, and the counters' end values against the safe ones.
#include <doctest/doctest.h>

#include <filesystem>
#include <vector>

#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"
#include "viz/counter_words.hpp"
#include "viz/deadlock_tail.hpp"

using namespace gilsim;
using namespace gilsim::viz;

namespace {

std::vector<trace::Trace> lesson(const char* file) {
  return model::simulate_all(scenario::load_file(std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios" / file));
}

trace::LaneId lane_named(const trace::Trace& run, const std::string& name) {
  for (trace::LaneId l = 0; l < run.lanes.size(); ++l) {
    if (run.lanes[l].name == name) return l;
  }
  FAIL("no lane " << name);
  return trace::kNone;
}

}  // namespace

TEST_CASE("a deadlock's cycle: both threads, each waiting, and both locks, each with its holder") {
  const std::vector<trace::Trace> runs = lesson("16-deadlock.toml");
  REQUIRE(runs.size() == 2);
  CHECK(stuck_lanes(runs[0]).empty());  // sequential finished
  const trace::Trace& threads = runs[1];
  const std::vector<StuckLane> stuck = stuck_lanes(threads);
  REQUIRE(stuck.size() == 4);
  const trace::LaneId t1 = lane_named(threads, "T1"), t2 = lane_named(threads, "T2");
  CHECK(stuck[0].lane == t1);
  CHECK(stuck[0].holder == trace::kNone);
  CHECK(stuck[1].lane == t2);
  CHECK(stuck[2].lane == lane_named(threads, "lock lock_a"));
  CHECK(stuck[2].holder == t1);  // T1 took lock_a and waits for lock_b
  CHECK(stuck[3].lane == lane_named(threads, "lock lock_b"));
  CHECK(stuck[3].holder == t2);
  CHECK(stuck[0].waits_for == stuck[3].lane);
  CHECK(stuck_label(threads, stuck[0]) == "deadlocked: waits for lock lock_b forever");
  CHECK(stuck_label(threads, stuck[2]) == "deadlocked: held by T1 forever");
  CHECK(deadlocked_text(threads) == "deadlocked at 1.08 ms");
}

TEST_CASE("a run's counters: the end value against the safe one, what was lost, in brief") {
  const std::vector<trace::Trace> runs = lesson("15-lost-update.toml");
  REQUIRE(runs.size() == 3);
  CHECK(counters_text(runs[0]) == "counter = 80,000: none lost; safe = 80,000: none lost");
  CHECK(counters_brief(runs[0]) == "no update lost");
  CHECK(counters_text(runs[1]) == "counter = 59,480 of 80,000: 20,520 lost; safe = 80,000: none lost");
  CHECK(counters_brief(runs[1]) == "counter: 20,520 of 80,000 lost");
  CHECK(lost_updates(runs[1]));
  CHECK_FALSE(lost_updates(runs[0]));
  CHECK_FALSE(counters_text(lesson("16-deadlock.toml")[0]));  // no counters
}

// A knob change that moves the switch interval alone keeps the runs shown in which no thread
// waited for a GIL (model::switch_interval_cannot_change) and simulates the others: the runs
// and their indices are those of the same values simulated whole; any other change keeps none.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "tests/runs_as_text.hpp"
#include "tests/viz/same_run_index.hpp"
#include "tests/viz/finish_background.hpp"
#include "viz/app_state.hpp"
#include "viz/session.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using gilsim::viz::testing::finish_background;
using namespace std::chrono_literals;
using namespace gilsim::literals;

namespace {

std::filesystem::path lesson(const char* name) { return std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios" / name; }

}  // namespace

TEST_CASE("the switch interval moved alone: lesson 15's runs without GIL waits are kept, the result is a whole simulation's") {
  for (const char* name : {"15-lost-update.toml", "10-pool-overhead.toml"}) {
    CAPTURE(name);
    Session s;
    s.derive_runwise_with(runwise_derive_for_session());  // as the viewer does
    REQUIRE(s.open(lesson(name)));
    Knobs k;
    k.switch_interval = 1_ms;
    s.set_knobs_in_background(k, derive_runs_for_session);
    REQUIRE(finish_background(s));
    REQUIRE(s.error().empty());
    CHECK(s.last_reused_runs() == (std::string(name) == "15-lost-update.toml" ? 2u : 1u));
    for (const auto& run : s.runs()) CHECK(run.switch_interval == 1_ms);
    const DerivedRuns derived = *std::any_cast<std::shared_ptr<DerivedRuns>>(s.take_derived());

    Session whole;
    REQUIRE(whole.open(lesson(name)));
    REQUIRE(whole.set_knobs(k));  // simulated whole, on this thread
    CHECK(whole.last_reused_runs() == 0u);
    CHECK(test::runs_as_text(s.runs()) == test::runs_as_text(whole.runs()));
    const DerivedRuns expected = derive_runs(whole.runs());
    REQUIRE(derived.runs.size() == expected.runs.size());
    for (std::size_t r = 0; r < expected.runs.size(); ++r) testing::check_same_run_index(derived.runs[r], expected.runs[r]);

    // Back to the file's value (the knob unset): the same rule again, and the runs first shown.
    Session first;
    REQUIRE(first.open(lesson(name)));
    s.set_knobs_in_background({}, derive_runs_for_session);
    REQUIRE(finish_background(s));
    CHECK(s.last_reused_runs() == (std::string(name) == "15-lost-update.toml" ? 2u : 1u));
    CHECK(test::runs_as_text(s.runs()) == test::runs_as_text(first.runs()));
    for (std::size_t r = 0; r < s.runs().size(); ++r) CHECK(s.runs()[r].switch_interval == first.runs()[r].switch_interval);
  }
}

TEST_CASE("a change of another knob, or of the interval with another, keeps no run") {
  Session s;
  REQUIRE(s.open(lesson("15-lost-update.toml")));
  Knobs k;
  k.cores = s.scenario().machine.cores;  // the value it has, as --bench-knob sets it
  s.set_knobs_in_background(k);
  REQUIRE(finish_background(s));
  CHECK(s.last_reused_runs() == 0u);
  Knobs both = k;
  both.switch_interval = 2_ms;
  both.cores = 1;
  s.set_knobs_in_background(both);
  REQUIRE(finish_background(s));
  CHECK(s.last_reused_runs() == 0u);
  Knobs interval = both;
  interval.switch_interval = 20_ms;
  s.set_knobs_in_background(interval);
  REQUIRE(finish_background(s));
  CHECK(s.last_reused_runs() == 2u);
  CHECK(only_switch_interval_moved(both, interval));
  CHECK_FALSE(only_switch_interval_moved(interval, interval));
  CHECK_FALSE(only_switch_interval_moved(k, both));
}

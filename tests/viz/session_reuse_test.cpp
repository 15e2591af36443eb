// A knob change that moves the switch interval alone keeps the runs shown in which no thread
// waited for a GIL (model::switch_interval_cannot_change) and simulates the others: the runs
// and their indices are those of the same values simulated whole; any other change keeps none.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/same_runs.hpp"
#include "tests/viz/lesson_path.hpp"
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

using gilsim::viz::testing::lesson;

}  // namespace

TEST_CASE("the switch interval moved alone: lesson 15's runs without GIL waits are kept, the result is a whole simulation's") {
  for (const char* name : {"15-lost-update.toml", "10-pool-overhead.toml"}) {
    CAPTURE(name);
    const std::size_t kept_runs = std::string(name) == "15-lost-update.toml" ? 2u : 1u;
    AppState app;
    app.session.derive_runwise_with(runwise_derive_for_session());  // as the viewer does
    REQUIRE(app.session.open(lesson(name)));
    refresh_derived(app);
    // Each run's index as shown, known by where its running sums live: a run's index carried
    // over is the same object, moved; one built again is a new one.
    std::vector<const void*> shown;
    for (const RunIndex& index : app.runs) shown.push_back(index.covered_prefix.data());
    Knobs k;
    k.switch_interval = 1_ms;
    app.session.set_knobs_in_background(k, derive_runs_for_session);
    REQUIRE(finish_background(app.session));
    REQUIRE(app.session.error().empty());
    CHECK(app.session.last_reused_runs() == kept_runs);
    for (const auto& run : app.session.runs()) CHECK(run.switch_interval == 1_ms);
    refresh_derived(app);
    const std::vector<bool>& kept = app.session.last_kept_runs();
    REQUIRE(kept.size() == shown.size());
    CHECK(static_cast<std::size_t>(std::count(kept.begin(), kept.end(), true)) == kept_runs);
    REQUIRE(app.runs.size() == shown.size());
    for (std::size_t r = 0; r < shown.size(); ++r) {
      CAPTURE(r);
      CHECK((app.runs[r].covered_prefix.data() == shown[r]) == kept[r]);
    }

    testing::check_same_as_simulated_whole(app, lesson(name), k);  // simulated whole, on this thread

    // Back to the file's value (the knob unset): the same rule again, and the runs first shown.
    Session first;
    REQUIRE(first.open(lesson(name)));
    app.session.set_knobs_in_background({}, derive_runs_for_session);
    REQUIRE(finish_background(app.session));
    refresh_derived(app);
    CHECK(app.session.last_reused_runs() == kept_runs);
    CHECK(test::first_difference(app.session.runs(), first.runs()) == "");
    for (std::size_t r = 0; r < app.session.runs().size(); ++r) {
      CHECK(app.session.runs()[r].switch_interval == first.runs()[r].switch_interval);
    }
    const DerivedRuns first_expected = derive_runs(first.runs());
    REQUIRE(app.runs.size() == first_expected.runs.size());
    for (std::size_t r = 0; r < app.runs.size(); ++r) testing::check_same_run_index(app.runs[r], first_expected.runs[r]);
  }
}

TEST_CASE("kept runs' indices wait for the change behind its previews, and are built again when the runs shown moved") {
  AppState app;
  app.session.derive_runwise_with(runwise_derive_for_session());
  REQUIRE(app.session.open(lesson("15-lost-update.toml")));
  refresh_derived(app);
  std::vector<const void*> shown;
  for (const RunIndex& index : app.runs) shown.push_back(index.covered_prefix.data());
  Knobs k;
  k.switch_interval = app.session.scenario().python.switch_interval;  // the value it has: the threads run takes frames
  SUBCASE("frame by frame, as the viewer polls: behind its previews when they come") {
    app.session.index_previews_with(preview_indexer_for_session);
    app.session.preview_every_slice();  // previews however fast the machine
    app.session.set_knobs_in_background(k, derive_runs_for_session);
    // The frames meanwhile: each shows a preview when one is ready, until the whole runs are in.
    bool previewed = false;
    while (app.session.simulating()) {
      if (app.session.poll(0)) refresh_derived(app);
      if (app.runs_are_preview) {  // the kept runs are shown whole, with their indices lent
        previewed = true;
        const std::vector<bool>& kept = app.session.last_kept_runs();
        REQUIRE(kept.size() == shown.size());
        for (std::size_t r = 0; r < shown.size(); ++r) {
          if (kept[r]) CHECK(app.runs[r].covered_prefix.data() == shown[r]);
        }
      }
      std::this_thread::sleep_for(1ms);
    }
    refresh_derived(app);
    CHECK_FALSE(app.runs_are_preview);
    CHECK(previewed);
    const std::vector<bool>& kept = app.session.last_kept_runs();
    REQUIRE(kept.size() == shown.size());
    for (std::size_t r = 0; r < shown.size(); ++r) CHECK((app.runs[r].covered_prefix.data() == shown[r]) == kept[r]);
  }
  SUBCASE("a measured run added while it was simulated: the indices shown are not those of the runs kept") {
    app.session.set_knobs_in_background(k, derive_runs_for_session);
    trace::Trace extra = app.session.runs().front();
    extra.origin = trace::Origin::Measured;
    app.session.add_measured(std::move(extra));
    refresh_derived(app);  // the runs shown with the measured one: indexed again
    std::vector<const void*> with_measured;
    for (const RunIndex& index : app.runs) with_measured.push_back(index.covered_prefix.data());
    REQUIRE(finish_background(app.session));
    CHECK(app.session.last_reused_runs() == 2u);
    refresh_derived(app);
    // Built again (the indices shown are alive until then: a new one cannot have their address).
    for (std::size_t r = 0; r < shown.size(); ++r) CHECK(app.runs[r].covered_prefix.data() != with_measured[r]);
  }
  Session whole;
  REQUIRE(whole.open(lesson("15-lost-update.toml")));
  REQUIRE(whole.set_knobs(k));
  const DerivedRuns expected = derive_runs(whole.runs());
  REQUIRE(app.runs.size() == expected.runs.size());
  for (std::size_t r = 0; r < expected.runs.size(); ++r) testing::check_same_run_index(app.runs[r], expected.runs[r]);
  CHECK(app.states_seen == expected.states_seen);
  CHECK(app.marks_seen == expected.marks_seen);
}

TEST_CASE("a change of another knob keeps no run; of the cores, or of the cores and the interval, what their rules keep") {
  Session s;
  REQUIRE(s.open(lesson("15-lost-update.toml")));
  Knobs k;
  k.cores = s.scenario().machine.cores;  // the value it has, as --bench-knob sets it
  s.set_knobs_in_background(k);
  REQUIRE(finish_background(s));
  CHECK(s.last_reused_runs() == 2u);  // sequential and asyncio: one thread each (model::core_count_cannot_change)
  Knobs both = k;
  both.switch_interval = 2_ms;
  both.cores = 1;
  s.set_knobs_in_background(both);
  REQUIRE(finish_background(s));
  CHECK(s.last_reused_runs() == 2u);  // the same two: neither waited for a GIL either
  Knobs jobs = both;
  jobs.jobs = 2;
  s.set_knobs_in_background(jobs);
  REQUIRE(finish_background(s));
  CHECK(s.last_reused_runs() == 0u);
  Knobs jobs_and_cores = jobs;
  jobs_and_cores.cores = 3;
  jobs_and_cores.jobs = 3;
  s.set_knobs_in_background(jobs_and_cores);
  REQUIRE(finish_background(s));
  CHECK(s.last_reused_runs() == 0u);
  Knobs interval = both;
  interval.switch_interval = 20_ms;
  CHECK(only_switch_interval_moved(both, interval));
  CHECK_FALSE(only_switch_interval_moved(interval, interval));
  CHECK_FALSE(only_switch_interval_moved(k, both));
  CHECK(only_cores_or_interval_moved(both, interval) == MovedKnobs{false, true});
  CHECK(only_cores_or_interval_moved(k, both) == MovedKnobs{true, true});
  CHECK(only_cores_or_interval_moved(Knobs{}, k) == MovedKnobs{true, false});
  CHECK_FALSE(only_cores_or_interval_moved(interval, interval));
  CHECK_FALSE(only_cores_or_interval_moved(both, jobs));
  CHECK_FALSE(only_cores_or_interval_moved(jobs, jobs_and_cores));  // the cores and the jobs
}

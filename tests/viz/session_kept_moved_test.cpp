// A knob change keeps the runs shown that its rules keep as they are (model::Reuse::AsIs) by
// moving them into its runs as it goes in, not by copying them while it simulates the others
// (model::ReusedRuns::as_is_left_to_caller): the kept runs' storage is the storage shown, and
// the result is still the whole simulation's, with previews or without.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"
#include "tests/viz/lesson_path.hpp"
#include "tests/viz/finish_background.hpp"
#include "tests/viz/same_run_index.hpp"
#include "viz/app_state.hpp"
#include "viz/session.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using gilsim::viz::testing::finish_background;
using namespace std::chrono_literals;
using namespace gilsim::literals;

namespace {

using gilsim::viz::testing::lesson;

/// Where each run's lanes live: a run moved keeps them there, a copy has its own.
std::vector<const void*> lanes_of(const std::vector<trace::Trace>& runs) {
  std::vector<const void*> out;
  for (const trace::Trace& run : runs) out.push_back(run.lanes.data());
  return out;
}

}  // namespace

TEST_CASE("a knob change moves the runs it keeps as they are from the runs shown, where it copied them") {
  AppState app;
  app.session.derive_runwise_with(runwise_derive_for_session());  // as the viewer does
  REQUIRE(app.session.open(lesson("15-lost-update.toml")));
  refresh_derived(app);
  const std::vector<const void*> shown = lanes_of(app.session.runs());
  Knobs k;
  k.switch_interval = 1_ms;
  SUBCASE("whole at once") {
    app.session.set_knobs_in_background(k, derive_runs_for_session);
    REQUIRE(finish_background(app.session));
  }
  SUBCASE("frame by frame, behind previews of the runs so far") {
    app.session.index_previews_with(preview_indexer_for_session);
    app.session.preview_every_slice();
    app.session.set_knobs_in_background(k, derive_runs_for_session);
    bool previewed = false;
    while (app.session.simulating()) {
      if (app.session.poll(0)) refresh_derived(app);
      if (app.session.previewing()) {
        previewed = true;
        // A preview shows copies of the kept runs (the runs shown stay where they are).
        const std::vector<const void*> now = lanes_of(app.session.runs());
        for (std::size_t r = 0; r < shown.size() && r < now.size(); ++r) CHECK(now[r] != shown[r]);
      }
      std::this_thread::sleep_for(1ms);
    }
    CHECK(previewed);
  }
  REQUIRE(app.session.error().empty());
  refresh_derived(app);
  const std::vector<bool>& kept = app.session.last_kept_runs();
  REQUIRE(kept.size() == shown.size());
  CHECK(app.session.last_reused_runs() == 2u);
  const std::vector<const void*> now = lanes_of(app.session.runs());
  for (std::size_t r = 0; r < shown.size(); ++r) {
    CAPTURE(r);
    CHECK((now[r] == shown[r]) == kept[r]);
    CHECK(app.session.runs()[r].switch_interval == 1_ms);
  }
  testing::check_same_as_simulated_whole(app, lesson("15-lost-update.toml"), k);
}

TEST_CASE("a change that indexes its whole runs at once (no RunwiseDerive) still copies the runs it keeps") {
  AppState app;
  REQUIRE(app.session.open(lesson("15-lost-update.toml")));
  refresh_derived(app);
  const std::vector<const void*> shown = lanes_of(app.session.runs());
  Knobs k;
  k.switch_interval = 1_ms;
  app.session.set_knobs_in_background(k, derive_runs_for_session);  // derived whole, stand-ins and all
  REQUIRE(finish_background(app.session));
  refresh_derived(app);
  CHECK(app.session.last_reused_runs() == 2u);
  const std::vector<const void*> now = lanes_of(app.session.runs());
  for (std::size_t r = 0; r < shown.size(); ++r) CHECK(now[r] != shown[r]);
  testing::check_same_as_simulated_whole(app, lesson("15-lost-update.toml"), k);
}

TEST_CASE("simulate_all leaves a run kept as it is to its caller: a stand-in, the watcher answered with the run offered") {
  const scenario::Scenario before = scenario::load_file(lesson("15-lost-update.toml"));
  const std::vector<trace::Trace> shown = model::simulate_all(before, 1);
  scenario::Scenario after = scenario::load_file(lesson("15-lost-update.toml"), {{"python.switch_interval", "1ms", "knob"}});
  model::ReusedRuns offered;
  for (const trace::Trace& run : shown) offered.runs.push_back(&run);
  offered.as_is_left_to_caller = true;
  std::vector<const trace::Trace*> answered(shown.size(), nullptr);
  model::Progress progress(model::Progress::kEventsBetweenChecks, [&answered](std::size_t run, const trace::Trace& answer) {
    if (!answer.partial()) answered[run] = &answer;
  });
  const std::vector<trace::Trace> runs = model::simulate_all(after, 2, nullptr, &progress, &offered);
  const std::vector<trace::Trace> whole = model::simulate_all(after, 1);
  REQUIRE(runs.size() == shown.size());
  for (std::size_t r = 0; r < runs.size(); ++r) {
    CAPTURE(r);
    const bool as_is = model::reuse_of(after, r, &offered) == model::Reuse::AsIs;
    CHECK(as_is == (shown[r].run_name != "threads"));
    CHECK(runs[r].switch_interval == 1_ms);
    CHECK(runs[r].run_name == shown[r].run_name);
    if (as_is) {
      CHECK(answered[r] == &shown[r]);  // the run offered itself, not a copy
      CHECK(runs[r].lanes.empty());     // a stand-in: nothing recorded
      CHECK(runs[r].marks.size() == 0u);
      CHECK(runs[r].end == shown[r].end);
      CHECK_FALSE(runs[r].partial());
    } else {
      CHECK(answered[r] != &shown[r]);
      CHECK(test::first_difference(runs[r], whole[r]) == "");
    }
  }
}

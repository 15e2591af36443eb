// A knob change of the cores keeps the runs shown that no core count could change
// (model::core_count_cannot_change): moved onto the new count and indexed anew, or, at the
// count they have, with their indices carried over; the runs and their indices are those of
// the same values simulated whole. (Values of the cores simulated ahead keep them too:
// knob_speculation_test.cpp.)
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/same_runs.hpp"
#include "tests/viz/lesson_path.hpp"
#include "tests/viz/finish_background.hpp"
#include "tests/viz/same_run_index.hpp"
#include "viz/app_state.hpp"
#include "viz/session.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using gilsim::viz::testing::finish_background;
using namespace gilsim::literals;

namespace {

using gilsim::viz::testing::lesson;

/// The runs and indices of `app` are those of `k` simulated whole, on this thread.
void check_whole(AppState& app, const char* name, const Knobs& k) {
  testing::check_same_as_simulated_whole(app, lesson(name), k);
}

}  // namespace

TEST_CASE("the cores moved: lesson 15's runs of one thread are kept on the new count, the result is a whole simulation's") {
  AppState app;
  app.session.derive_runwise_with(runwise_derive_for_session());  // as the viewer does
  REQUIRE(app.session.open(lesson("15-lost-update.toml")));
  refresh_derived(app);
  const int file_cores = app.session.scenario().machine.cores;
  // The file's count first (the knob set to the value it has, as --bench-knob sets it), then others.
  for (const int cores : {file_cores, 2, 1, 8}) {
    CAPTURE(cores);
    const int shown_cores = app.session.runs().front().cores;
    std::vector<const void*> shown;
    for (const RunIndex& index : app.runs) shown.push_back(index.covered_prefix.data());
    Knobs k;
    k.cores = cores;
    app.session.set_knobs_in_background(k, derive_runs_for_session);
    REQUIRE(finish_background(app.session));
    REQUIRE(app.session.error().empty());
    CHECK(app.session.last_reused_runs() == 2u);  // sequential and asyncio
    for (const auto& run : app.session.runs()) CHECK(run.cores == cores);
    refresh_derived(app);
    // Moved onto another count, their lanes moved: indexed anew. At the count they have: kept
    // as they are, with their indices.
    const std::vector<bool>& kept = app.session.last_kept_runs();
    REQUIRE(kept.size() == shown.size());
    const std::size_t as_they_are = static_cast<std::size_t>(std::count(kept.begin(), kept.end(), true));
    CHECK(as_they_are == (shown_cores == cores ? 2u : 0u));
    for (std::size_t r = 0; r < shown.size(); ++r) {
      CAPTURE(r);
      CHECK((app.runs[r].covered_prefix.data() == shown[r]) == kept[r]);
    }
    check_whole(app, "15-lost-update.toml", k);
  }
  // Back to the file's count (the knob unset).
  app.session.set_knobs_in_background({}, derive_runs_for_session);
  REQUIRE(finish_background(app.session));
  refresh_derived(app);
  CHECK(app.session.last_reused_runs() == 2u);
  for (const auto& run : app.session.runs()) CHECK(run.cores == file_cores);
  check_whole(app, "15-lost-update.toml", {});
}

TEST_CASE("the cores and the switch interval moved at once keep what both rules keep") {
  for (const char* name : {"12-free-threaded.toml", "01-cpu-bound.toml"}) {
    CAPTURE(name);
    AppState app;
    app.session.derive_runwise_with(runwise_derive_for_session());
    REQUIRE(app.session.open(lesson(name)));
    refresh_derived(app);
    std::size_t both = 0, interval_alone = 0;
    for (std::size_t r = 0; r < app.session.runs().size(); ++r) {
      const bool interval_rule = model::switch_interval_cannot_change(app.session.runs()[r]);
      const bool cores_rule = model::core_count_cannot_change(app.session.runs()[r], 3);
      both += interval_rule && cores_rule;
      interval_alone += interval_rule && !cores_rule;
    }
    Knobs k;
    k.cores = 3;
    k.switch_interval = 2_ms;
    app.session.set_knobs_in_background(k, derive_runs_for_session);
    REQUIRE(finish_background(app.session));
    refresh_derived(app);
    CHECK(app.session.last_reused_runs() == both);
    CHECK(both >= 1);
    if (std::string(name) == "12-free-threaded.toml") CHECK(interval_alone >= 1);  // its threads without a GIL
    check_whole(app, name, k);
  }
}

// The start-up load on a second thread leaves the app exactly as a load on this thread does.
#include "viz/background_load.hpp"

#include <doctest/doctest.h>

#include <filesystem>

namespace fs = std::filesystem;
using gilsim::Time;
using gilsim::viz::AppState;
using gilsim::viz::BackgroundLoad;

namespace {

const fs::path kLesson = fs::path(GILSIM_SOURCE_DIR) / "scenarios/01-cpu-bound.toml";

}  // namespace

TEST_CASE("a background load opens, simulates and indexes the scenario as a load here does") {
  AppState there;
  BackgroundLoad load(there, kLesson);
  CHECK(load.wait());
  CHECK(load.load_seconds() > 0);
  CHECK(load.indexing_seconds() > 0);

  AppState here;
  REQUIRE(here.session.open(kLesson));
  refresh_derived(here);

  const auto& a = there.session.runs();
  const auto& b = here.session.runs();
  REQUIRE(a.size() == b.size());
  REQUIRE(there.runs.size() == a.size());
  for (std::size_t r = 0; r < a.size(); ++r) {
    CAPTURE(r);
    CHECK(a[r].end == b[r].end);
    CHECK(a[r].marks.size() == b[r].marks.size());
    REQUIRE(a[r].lanes.size() == b[r].lanes.size());
    for (std::size_t l = 0; l < a[r].lanes.size(); ++l) CHECK(a[r].lanes[l].spans.size() == b[r].lanes[l].spans.size());
    CHECK(there.runs[r].lane_labels == here.runs[r].lane_labels);
    CHECK(there.runs[r].identity == here.runs[r].identity);
    CHECK(there.runs[r].handoffs.size() == here.runs[r].handoffs.size());
  }
  CHECK(there.states_seen == here.states_seen);
  CHECK(there.marks_seen == here.marks_seen);
  CHECK(there.events.size(false) == here.events.size(false));
  CHECK(there.events.size(true) == here.events.size(true));
  CHECK(there.events.next(Time::zero(), true) == here.events.next(Time::zero(), true));
  CHECK(there.playback.end() == here.playback.end());
  CHECK(there.derived_generation == there.session.generation());
}

TEST_CASE("a scenario that does not load says why once the load is waited for") {
  AppState app;
  BackgroundLoad load(app, fs::path(GILSIM_SOURCE_DIR) / "no/such/scenario.toml");
  CHECK_FALSE(load.wait());
  CHECK_FALSE(app.session.loaded());
  CHECK(app.session.error().find("scenario.toml") != std::string::npos);
  CHECK(app.runs.empty());
}

TEST_CASE("a load left without waiting is joined when it goes") {
  AppState app;
  { BackgroundLoad load(app, kLesson); }
  CHECK(app.session.loaded());
  CHECK(app.runs.size() == app.session.runs().size());
}

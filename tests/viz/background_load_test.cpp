// The start-up load on a second thread leaves the app exactly as a load on this thread does.
#include "viz/background_load.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <thread>

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
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  // A small plan is left to fault in as it is written: only the file's reading was ahead.
  CHECK(load.faulted_in_ahead() <= std::size_t{2} << 20);
#endif

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

TEST_CASE("the thread waiting for the load indexes beside it, its heap warmed meanwhile") {
  // The 1 M-span scenario: its simulation takes long enough (a tenth of a second and more)
  // for this thread to be waiting, and serving, well before the indexing starts.
  AppState there;
  BackgroundLoad load(there, fs::path(GILSIM_SOURCE_DIR) / "tests/viz/data/busy.toml");
  REQUIRE(load.wait());
  CHECK(load.indexed_beside());
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  // A sanitizer's allocator takes no mallopt() settings: nothing is warmed under it.
  CHECK(load.keeps_freed_memory());
  if (std::thread::hardware_concurrency() >= 2) CHECK(load.warmed_bytes() > 0);
  CHECK(load.warmed_bytes() <= BackgroundLoad::kWarmBytes);
  // The loading thread's heap for the file's reading (2 MiB) and the job plan (288,000 steps
  // planned, 32 bytes each, and their durations kept, 8: 11.5 MB), faulted in beside it,
  // whole pages only (two blocks: up to two pages less each).
  if (std::thread::hardware_concurrency() >= 2) {
    constexpr std::size_t kAhead = (std::size_t{2} << 20) + 288'000 * 40;
    CHECK(load.faulted_in_ahead() >= kAhead - 4 * 4096);
    CHECK(load.faulted_in_ahead() <= kAhead);
  }
#endif
  // The indices are the ones this thread builds alone.
  AppState here;
  REQUIRE(here.session.open(fs::path(GILSIM_SOURCE_DIR) / "tests/viz/data/busy.toml"));
  refresh_derived(here);
  REQUIRE(there.runs.size() == here.runs.size());
  for (std::size_t r = 0; r < here.runs.size(); ++r) {
    CHECK(there.runs[r].covered_prefix == here.runs[r].covered_prefix);
    CHECK(there.runs[r].glyph_marks == here.runs[r].glyph_marks);
    CHECK(there.runs[r].handoffs.size() == here.runs[r].handoffs.size());
    CHECK(there.runs[r].lane_labels == here.runs[r].lane_labels);
    CHECK(there.runs[r].interest == here.runs[r].interest);
    REQUIRE(there.runs[r].contention.size() == here.runs[r].contention.size());
    for (std::size_t p = 0; p < here.runs[r].contention.size(); ++p) {
      CHECK(there.runs[r].contention[p].spans.size() == here.runs[r].contention[p].spans.size());
      CHECK(there.runs[r].contention[p].most_waiters == here.runs[r].contention[p].most_waiters);
    }
  }
  CHECK(there.states_seen == here.states_seen);
  CHECK(there.marks_seen == here.marks_seen);
}


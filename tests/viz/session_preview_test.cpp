// A knob change shows the new runs as far as they are simulated (progressive display): the
// runs shown go from the previous ones to first parts of the new ones, growing, to the whole
// new runs; a load on the panel's thread meanwhile puts the previous runs back first.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "viz/app_state.hpp"
#include "viz/session.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using namespace std::chrono_literals;

namespace {

std::filesystem::path lesson_15() { return std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios/15-lost-update.toml"; }

int cores_of_runs(const std::vector<trace::Trace>& runs) {
  int cores = -1;
  for (const auto& run : runs) {
    if (cores != -1 && run.cores != cores) return -2;
    cores = run.cores;
  }
  return cores;
}

}  // namespace

TEST_CASE("a knob change shows the new runs as far as they are simulated, then whole") {
  AppState app;
  REQUIRE(app.session.open(lesson_15()));
  app.session.preview_every_slice();  // whatever the machine's pace (a frame is long on a fast one)
  refresh_derived(app);
  const std::size_t run_count = app.session.runs().size();
  const int cores = 3;
  REQUIRE(cores_of_runs(app.session.runs()) != cores);
  const Time previous_end = app.playback.end();
  Knobs k;
  k.cores = cores;
  app.session.set_knobs_in_background(k, derive_runs_for_session);
  std::vector<Time> reached(run_count, Time::zero());
  int previews = 0;
  while (app.session.simulating()) {
    if (app.session.poll(0)) refresh_derived(app);
    if (app.session.previewing()) {
      const auto& runs = app.session.runs();
      REQUIRE(runs.size() == run_count);
      CHECK(cores_of_runs(runs) == cores);  // the new runs, not the previous ones
      bool partial = false;
      for (std::size_t r = 0; r < runs.size(); ++r) {
        // Each preview's part of a run begins where the last one's did and reaches as far or further.
        const Time until = runs[r].partial() ? runs[r].simulated_until : runs[r].end;
        CHECK(until >= reached[r]);
        reached[r] = until;
        partial = partial || runs[r].partial();
      }
      CHECK(partial);
      // The indices are of these runs, and the axis keeps the previous runs' range.
      CHECK(app.runs.size() == runs.size());
      CHECK(app.playback.end() >= previous_end);
      if (app.derived_generation == app.session.generation()) ++previews;
    }
    std::this_thread::sleep_for(1ms);
  }
  CHECK(previews > 1);  // the runs grew from one preview to the next
  CHECK_FALSE(app.session.previewing());
  for (const trace::Trace& run : app.session.runs()) CHECK_FALSE(run.partial());
  CHECK(cores_of_runs(app.session.runs()) == cores);
  CHECK(app.preview_axis_end == Time::zero());
}

TEST_CASE("a load on the panel's thread while the new runs are previewed leaves whole runs") {
  Session s;
  REQUIRE(s.open(lesson_15()));
  s.preview_every_slice();
  Knobs slow;
  slow.cores = 1;
  s.set_knobs_in_background(slow);
  while (s.simulating() && !s.previewing()) {
    s.poll(0);
    std::this_thread::sleep_for(1ms);
  }
  REQUIRE(s.previewing());  // the runs wait for the preview to be taken: the load comes during it
  Knobs now;
  now.cores = 3;
  REQUIRE(s.set_knobs(now));
  CHECK_FALSE(s.simulating());
  CHECK_FALSE(s.previewing());
  CHECK(cores_of_runs(s.runs()) == 3);
  for (const trace::Trace& run : s.runs()) CHECK_FALSE(run.partial());
}

// What a run came to is on the screen a class sees: lesson 15's counters in its runs'
// headers and collapsed lines, presented and not; lesson 16's deadlocked lanes drawn on to
// the right edge, hatched, with "deadlocked at 1.08 ms" in the header.
#include <doctest/doctest.h>

#include <string>

#include "headless_viewer.hpp"
#include "viz/app_state.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using gilsim::viz::testing::HeadlessViewer;

namespace {

/// What run `r` says on the timeline: its open header's text as drawn, or its collapsed line's.
std::string said(const AppState& app, std::uint32_t r) {
  const TimelineFrame& t = app.timeline;
  std::string out;
  if (r < t.headers.size()) out += t.headers[r].shown;
  if (r < t.summaries.size()) out += t.summaries[r];
  return out;
}

}  // namespace

TEST_CASE("lesson 15's counters: on the threads run's header, presented and not, at 1280x720 and 1920x1080") {
  for (const ImVec2 size : {ImVec2(1280, 720), ImVec2(1920, 1080)}) {
    for (const bool presented : {true, false}) {
      CAPTURE(size.x);
      CAPTURE(presented);
      HeadlessViewer v(size);
      const auto file = gilsim::viz::testing::bundled_lesson("15-lost-update.toml");
      if (presented) {
        v.present(file);
      } else {
        REQUIRE(v.open(file));
      }
      REQUIRE(v.app.session.runs().size() == 3);
      CHECK(said(v.app, 1).find("counter = 59,480 of 80,000: 20,520 lost") != std::string::npos);
      // Presented, every run says what its counters came to, open or collapsed (not
      // presented, the third is below the fold at 1280x720).
      for (std::uint32_t r : {0u, 2u}) {
        if (!presented) continue;
        const std::string s = said(v.app, r);
        CAPTURE(s);
        CHECK((s.find("none lost") != std::string::npos || s.find("no update lost") != std::string::npos));
      }
    }
  }
}

TEST_CASE("lesson 16's deadlock: the cycle's lanes run on to the right edge, and the header says deadlocked") {
  HeadlessViewer v(ImVec2(1280, 720));
  REQUIRE(v.open(gilsim::viz::testing::bundled_lesson("16-deadlock.toml")));
  const TimelineFrame& t = v.app.timeline;
  CHECK(said(v.app, 1).find("deadlocked at 1.08 ms") != std::string::npos);
  // T1, T2, lock_a, lock_b: each hatched from the run's end to the lanes' right edge.
  REQUIRE(t.stuck_tails.size() == 4);
  const float end_x = t.lanes_left + static_cast<float>(v.app.view.x_of(v.app.session.runs()[1].end));
  float right = 0;
  for (const ScreenRect& r : t.stuck_tails) right = std::max(right, r.right);
  for (const ScreenRect& r : t.stuck_tails) {
    CHECK(r.left == doctest::Approx(end_x).epsilon(0.001));
    CHECK(r.right == right);
    CHECK(r.right > end_x + 400);  // on to the edge, far past 1.08 ms on a 6 ms axis
  }
  // The finished run draws none: one hatched row per stuck lane only.
  CHECK(v.app.runs[0].stuck.empty());
}

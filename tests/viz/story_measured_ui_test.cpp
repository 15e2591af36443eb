// The "What happened" story with measured runs loaded: it follows the playhead whatever runs
// arrive, and says which lines are measured.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <imgui.h>

#include "headless_viewer.hpp"
#include "viz/app_state.hpp"
#include "viz/narrative.hpp"
#include "viz/timeline_layout.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::viz;
using gilsim::viz::testing::HeadlessViewer;

namespace {

/// A measured run standing in for one the executors give: the prediction's marks, told as
/// measured (three of each make the story several times longer, as real runs' many early
/// marks do).
trace::Trace measured_like(const trace::Trace& predicted) {
  trace::Trace measured = predicted;
  measured.origin = trace::Origin::Measured;
  return measured;
}

/// The story's line at the playhead is drawn: the list scrolled to it (its y was recorded).
bool playhead_line_drawn(const HeadlessViewer& v) { return v.app.narrative.after_playhead_y > 0; }

}  // namespace

TEST_CASE("the story follows the playhead once measured runs arrive, in the frame they do") {
  // Lesson 04 at 1024x640, the playhead at 500 ms: the story showed the 320 ms line; once the
  // measured runs came in (their lines merged in, the list several times longer) it showed
  // lines of their first milliseconds and no line at the playhead: the list scrolled under
  // the playhead with the room of the shorter list it had drawn the frame before, and never
  // again (the playhead's line number had not changed since).
  HeadlessViewer v(ImVec2(1024, 640));
  REQUIRE(v.open(gilsim::viz::testing::bundled_lesson("04-blocking-coroutine.toml")));
  v.app.playback.seek(500_ms);
  v.frame();
  v.frame();
  REQUIRE(playhead_line_drawn(v));
  const std::size_t simulated_lines = v.app.narrative.narrative.size();

  const std::vector<trace::Trace> predictions = v.app.session.runs();
  for (int copy = 0; copy < 3; ++copy) {
    for (const trace::Trace& run : predictions) v.app.session.add_measured(measured_like(run));
  }
  refresh_derived(v.app);
  v.frame();
  REQUIRE(v.app.narrative.narrative.size() > 3 * simulated_lines);
  const std::ptrdiff_t at = v.app.narrative.narrative.index_at(500_ms);
  REQUIRE(at >= 0);
  CHECK(v.app.narrative.narrative.line(static_cast<std::size_t>(at)).at <= 500_ms);
  CHECK(playhead_line_drawn(v));  // in the frame they came, not one later
  // Each measured run's lines are told apart by its name, "[threads (measured)]".
  const NarrativeLine line = v.app.narrative.narrative.line(static_cast<std::size_t>(at));
  const trace::Trace& run = v.app.session.runs()[line.run];
  CHECK((run_label(run).ends_with(" (measured)")) == (run.origin == trace::Origin::Measured));
  v.frame();
  CHECK(playhead_line_drawn(v));  // and it stays
}

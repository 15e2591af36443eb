// A measured run that ends past the axis and is not scored says both where a class sees
// them: first in its open header (never cut off its end, as "... GIL ne…" cut "(past the
// axis)" at 1280 wide), on its collapsed line, presented too, and with an arrow at the edge.
#include <doctest/doctest.h>

#include <string>

#include "headless_viewer.hpp"
#include "viz/app_state.hpp"
#include "viz/ui/timeline_rows.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using gilsim::viz::testing::HeadlessViewer;

namespace {

/// Lesson 14 with its sequential run measured: starved (a third of the CPU it needed) and
/// 1.6 times as long as predicted, so past the axis.
void add_slow_measured(HeadlessViewer& v) {
  trace::Trace m = v.app.session.runs()[0];
  REQUIRE(m.run_name == "sequential");
  m.origin = trace::Origin::Measured;
  m.cpu_check.checked = true;
  m.cpu_check.cpus = m.cpu_check.machine_cpus = 2;
  m.cpu_check.needed = Time{90'000'000};
  m.cpu_check.got = Time{30'000'000};
  m.end = m.end * 8 / 5;
  v.app.session.add_measured(std::move(m));
  refresh_derived(v.app);
  for (int i = 0; i < 4; ++i) v.frame(0);
}

std::uint32_t measured_index(const AppState& app) {
  const auto& runs = app.session.runs();
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    if (runs[r].origin == trace::Origin::Measured) return r;
  }
  FAIL("no measured run");
  return 0;
}

}  // namespace

TEST_CASE("lesson 14 measured at 1280x720: the header says not scored and past the axis, whole, before the marker") {
  HeadlessViewer v(ImVec2(1280, 720));
  REQUIRE(v.open(gilsim::viz::testing::bundled_lesson("14-two-locks.toml")));
  add_slow_measured(v);
  const std::uint32_t r = measured_index(v.app);
  const TimelineFrame& t = v.app.timeline;
  REQUIRE(r < t.headers.size());
  const HeaderDrawn& h = t.headers[r];
  CAPTURE(h.shown);
  CHECK(h.shown.find("busy machine") != std::string::npos);
  CHECK(h.shown.find("past the axis \u2192") != std::string::npos);  // whole, arrow and all
  // The arrow at the right edge, down the run's rows, and the text stops short of it.
  REQUIRE(t.past_axis.size() == 1);
  CHECK(h.text_right <= t.past_axis[0].left);
  // A simulated run says nothing of the kind.
  CHECK(t.headers[0].shown.find("past the axis") == std::string::npos);
}

TEST_CASE("lesson 14 measured, presented at 1280x720 and 1920x1080: the measured run's line says past the axis and not scored") {
  for (const ImVec2 size : {ImVec2(1280, 720), ImVec2(1920, 1080)}) {
    CAPTURE(size.x);
    HeadlessViewer v(size);
    v.present(gilsim::viz::testing::bundled_lesson("14-two-locks.toml"));
    add_slow_measured(v);
    const std::uint32_t r = measured_index(v.app);
    const TimelineFrame& t = v.app.timeline;
    REQUIRE(r < t.summaries.size());
    // Open or collapsed, whatever the fit chose: what it says is on screen.
    const std::string said = t.headers[r].shown + t.summaries[r];
    CAPTURE(said);
    CHECK(said.find("past the axis") != std::string::npos);
    CHECK(said.find("not scored") != std::string::npos);
    CHECK(t.past_axis.size() == 1);
  }
}

TEST_CASE("a collapsed line's texts: the flag in full then in brief, past the axis after the end, counters last") {
  HeadlessViewer v(ImVec2(1280, 720));
  REQUIRE(v.open(gilsim::viz::testing::bundled_lesson("14-two-locks.toml")));
  add_slow_measured(v);
  const std::uint32_t r = measured_index(v.app);
  const auto texts = ui::summary_texts(v.app.session.runs()[r], v.app.runs[r], nullptr, {}, true);
  REQUIRE(texts.size() == 4);
  CHECK(texts[0] == "GIL new, 4 cores, done at 141 ms, past the axis \u2192, busy machine: got 33% of the CPU it needed; not scored");
  // The brief flag with the settings first, as the other collapsed lines say them (lesson 17's measured pool).
  CHECK(texts[2] == "GIL new, 4 cores, done at 141 ms, past the axis \u2192, busy machine: not scored");
  CHECK(texts[3] == "done at 141 ms, past the axis \u2192, busy machine: not scored");
}

// A measured run that ends past the axis and is not scored says both where a class sees
// them: first in its open header (never cut off its end, as "... GIL ne…" cut "(past the
// axis)" at 1280 wide), on its collapsed line, presented too, and with an arrow at the edge.
#include <doctest/doctest.h>

#include <string>

#include "headless_viewer.hpp"
#include "viz/app_state.hpp"

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
  CHECK(h.shown.find("past the axis") != std::string::npos);
  // The arrow at the right edge, down the run's rows, and the text stops short of it.
  REQUIRE(t.past_axis.size() == 1);
  CHECK(h.text_right <= t.past_axis[0].left);
  // A simulated run says nothing of the kind.
  CHECK(t.headers[0].shown.find("past the axis") == std::string::npos);
}

// Lesson 20's sweep with a second key, presented: the small multiples draw on a projector's
// screen instead of "Too little room for the chart".
#include <doctest/doctest.h>

#include <string>

#include <imgui_internal.h>

#include "headless_viewer.hpp"
#include "viz/ui/panels.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using gilsim::viz::testing::HeadlessViewer;

TEST_CASE("lesson 20's sweep over workers and cores draws its six plots presented at 1280x720, 1366x768 and 1600x900") {
  // Two rows of three plots needed more height than the panel had under the timeline's runs:
  // the panel said "Too little room for the chart" at 1280x720 and 1600x900 alike.
  for (const ImVec2 size : {ImVec2(1280, 720), ImVec2(1366, 768), ImVec2(1600, 900)}) {
    for (const bool presenting : {true, false}) {
      INFO(size.x, "x", size.y, presenting ? ", presenting" : "");
      HeadlessViewer v(size);
      if (presenting) {
        v.present(testing::bundled_lesson("20-sweep-pool-size.toml"));
      } else {
        REQUIRE(v.open(testing::bundled_lesson("20-sweep-pool-size.toml")));
      }
      v.app.sweep.vary = "workers=1..16";
      v.app.sweep.vary_also = "cores=1..6";
      ui::start_sweep(v.app.sweep, v.app.session);
      v.app.sweep.runner.wait();
      for (int i = 0; i < 3; ++i) v.frame();
      REQUIRE(v.app.sweep.shown);
      CHECK_FALSE(v.app.sweep.chart_too_small);
    }
  }
}

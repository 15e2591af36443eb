// The counts the viewer writes, as the command line writes them: "2,146", not "2146".
#include <doctest/doctest.h>

#include <string>

#include "fake_runs.hpp"
#include "viz/lost_races.hpp"
#include "viz/timeline_layout.hpp"
#include "viz/ui/timeline_rows.hpp"

using namespace gilsim;
using namespace gilsim::viz;

TEST_CASE("the timeline's notes and the lost races' count group their digits") {
  CHECK(ui::folded_marks_note(5623) == "5,623 marks folded: click to zoom in");
  CHECK(ui::folded_marks_note(1) == "1 mark folded: click to zoom in");
  CHECK(lost_label(112261) == "112,261 races lost");
  CHECK(lost_label(7) == "7 races lost");
  CHECK(lost_label(1) == "1 race lost");
  const LaneGroup group{"1,200 threads", {}, {}, true};
  CHECK(ui::group_note(group, 4096) == "1,200 threads (folded: 4,096 marks inside, click to expand)");
  CHECK(ui::group_note(group, 1) == "1,200 threads (folded: 1 mark inside, click to expand)");
}

TEST_CASE("a group of alike lanes says how many with its digits grouped") {
  trace::TraceBuilder b("asyncio", "asyncio", "new", trace::Origin::Simulated, 1, Time{5'000'000});
  b.add_cores(1);
  const auto main = b.add_process("main", true);
  const auto loop = b.add_lane("event loop", trace::LaneKind::Thread, main);
  b.set_state(loop, Time::zero(), trace::SpanState::Running);
  for (int i = 0; i < 1200; ++i) b.add_lane("task " + std::to_string(i), trace::LaneKind::Task, main);
  const trace::Trace run = b.finish(Time{1000});
  const auto groups = lane_groups(run);
  REQUIRE(groups.size() == 1);
  CHECK(groups[0].label == "1,200 tasks");
}

// What a class sees first when a lesson opens presented: lesson 14's clerks with their lock
// waits when its runs are measured too, lesson 20's fork pool open, and a collapsed run's
// "done at" where the run ends, never in a gap of its bars.
#include <doctest/doctest.h>

#include <string>

#include "headless_viewer.hpp"
#include "lesson_runs.hpp"
#include "viz/app_state.hpp"
#include "viz/ui/timeline_rows.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using gilsim::viz::testing::bundled_lesson;
using gilsim::viz::testing::HeadlessViewer;
using gilsim::viz::testing::run_named;

namespace {

bool on_screen(const TimelineFrame& t, const Row& row) {
  return row.y - t.scroll >= -0.5f && row.y + row.height - t.scroll <= t.lanes_height + 0.5f;
}

/// Every run measured as predicted, as `gilviz --real` stacks them; a recording of the
/// executors sees no cores, and a real event loop sleeps for a moment after its last task (the
/// legend's "sleeping / idle", which takes the legend a third row at 1280x720).
void measure_every_run(HeadlessViewer& v) {
  gilsim::viz::testing::measure_as_predicted(v, [](trace::Trace& measured) {
    gilsim::viz::testing::without_cores(measured);
    for (trace::Lane& lane : measured.lanes) {
      if (lane.name == "event loop") {
        lane.spans.push(measured.end, measured.end + Time{1'000'000}, trace::kNone, 0, trace::SpanState::Sleeping);
        measured.end = measured.end + Time{1'000'000};
      }
    }
  });
  for (int i = 0; i < 4; ++i) v.frame(0);
}

}  // namespace

TEST_CASE("lesson 14 presented at 1280x720 with its runs measured: the four clerks' threads open, each on its row, as without") {
  // gilviz 14 --real --presentation folded them into "+ 4 threads": their lock waits, the
  // lesson, were not to be seen.
  HeadlessViewer v(ImVec2(1280, 720));
  v.present(bundled_lesson("14-two-locks.toml"));
  measure_every_run(v);
  const auto& runs = v.app.session.runs();
  REQUIRE(runs.size() == 6);
  const std::uint32_t threads = run_named(v, "threads");  // the prediction: it comes first
  REQUIRE(runs[threads].origin == trace::Origin::Simulated);
  const TimelineFrame& t = v.app.timeline;
  CHECK_FALSE(t.options.folding[threads].collapsed);
  int clerks = 0;
  for (trace::LaneId l = 0; l < runs[threads].lanes.size(); ++l) {
    const Row* row = t.layout.find(threads, l);
    const trace::Lane& lane = runs[threads].lanes[l];
    if (row && row->kind == Row::Kind::Lane && on_screen(t, *row)) clerks += lane.kind == trace::LaneKind::Thread && lane.name != "main";
  }
  CHECK(clerks == 4);
  // Every run still on screen, its header at least.
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    REQUIRE(t.layout.header(r));
    CHECK(on_screen(t, *t.layout.header(r)));
  }
}

TEST_CASE("lesson 20 presented at 1280x720: the fork pool, whose curve the lesson asks about, opens") {
  // It opened sequential and the thread pool, and left both process pools on one line.
  HeadlessViewer v(ImVec2(1280, 720));
  v.present(bundled_lesson("20-sweep-pool-size.toml"));
  CHECK_FALSE(v.app.timeline.options.folding[run_named(v, "process pool")].collapsed);
}

TEST_CASE("the built-in scenario presented at 1280x720: the collapsed sequential run says when it was done after its end") {
  // "done at 480 ms" sat between its bars at 130-230 ms, as if the run ended there.
  for (const ImVec2 size : {ImVec2(1280, 720), ImVec2(1920, 1080)}) {
    CAPTURE(size.x);
    HeadlessViewer v(size);
    v.present({});  // the built-in scenario
    const std::uint32_t seq = run_named(v, "sequential");
    const TimelineFrame& t = v.app.timeline;
    if (!t.options.folding[seq].collapsed) continue;
    REQUIRE(seq < t.summaries.size());
    CAPTURE(t.summaries[seq]);
    CHECK(t.summaries[seq].find("done at 480 ms") != std::string::npos);
    const float end_x = t.lanes_left + static_cast<float>(v.app.view.x_of(v.app.session.runs()[seq].end));
    CHECK(t.summary_boxes[seq].left >= end_x);
  }
}

TEST_CASE("a collapsed line's figures before its run's end say that it goes on, with an arrow") {
  // The built-in scenario's sequential run with the axis ending where it ends: its line has
  // room only between its bars.
  HeadlessViewer v(ImVec2(1280, 720));
  v.present({});  // the built-in scenario
  const std::uint32_t seq = run_named(v, "sequential");
  const TimelineFrame& t = v.app.timeline;
  REQUIRE(t.options.folding[seq].collapsed);
  // The axis as long as the run, no room after its end: the fit's room taken away.
  v.app.view.fit(Time::zero(), v.app.session.runs()[seq].end);
  v.app.fitted_view.reset();
  v.frame(0);
  v.frame(0);
  REQUIRE(seq < t.summaries.size());
  CAPTURE(t.summaries[seq]);
  const float end_x = t.lanes_left + static_cast<float>(v.app.view.x_of(v.app.session.runs()[seq].end));
  REQUIRE(!t.summaries[seq].empty());
  REQUIRE(t.summary_boxes[seq].right < end_x);
  CHECK(t.summaries[seq].ends_with("\u2192"));
}

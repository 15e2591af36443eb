// The mouse finds the span and the mark under it, with a little slack when zoomed out.
#include <doctest/doctest.h>

#include "fake_runs.hpp"
#include "viz/hit_test.hpp"
#include "viz/timeline_layout.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::viz;

TEST_CASE("span_at finds the span containing a time, half-open") {
  const trace::Trace t = viz::testing::two_threads();
  const auto& t1 = t.lanes[3].spans;  // running 0-6.5, waiting 6.5-12, running 12-15
  CHECK(span_at(t1, 0_ms) == 0u);
  CHECK(span_at(t1, 6499_us) == 0u);
  CHECK(span_at(t1, 6500_us) == 1u);
  CHECK(span_at(t1, 14_ms) == 2u);
  CHECK(!span_at(t1, 15_ms));
  CHECK(!span_at(t.lanes[4].spans, 500_us));  // T2 is not there yet
}

TEST_CASE("span_near forgives a few pixels next to a span") {
  const trace::Trace t = viz::testing::two_threads();
  const auto& t1 = t.lanes[3].spans;
  TimeView v;
  v.set_width(1000);
  v.set(0, 1e5);  // 100 us per pixel: T1 ends at x = 150
  CHECK(span_near(t1, v, 152, 3) == 2u);
  CHECK(!span_near(t1, v, 160, 3));
}

TEST_CASE("mark_near picks the nearest mark of the lane") {
  const trace::Trace t = viz::testing::two_threads();
  TimeView v;
  v.set_width(1000);
  v.set(0, 1e5);
  // T2's marks: job start and GIL request at 1 ms (x = 10), drop request at 6 ms (x = 60).
  const auto hit = mark_near(t, 4, v, 58, 4);
  REQUIRE(hit);
  CHECK(t.marks[*hit].kind == trace::MarkKind::DropRequest);
  CHECK(!mark_near(t, 4, v, 40, 4));
  CHECK(!mark_near(t, 3, v, 58, 4));  // T1's nearest mark is its forced switch at 6.5 ms (x = 65)
  CHECK(mark_near(t, 3, v, 63, 4));
}

TEST_CASE("rows stack runs, each with cores then GIL then threads") {
  const std::vector<trace::Trace> runs = {viz::testing::two_threads(), viz::testing::asyncio_run()};
  LayoutOptions o;
  o.lane_height = 10;
  o.header_height = 20;
  o.gap = 5;
  o.hide_idle_cores = false;
  const TimelineLayout layout = layout_rows(runs, o);
  // run 0: header + 2 cores + GIL + T1 + T2; run 1: header + core + GIL + loop + 3 tasks
  REQUIRE(layout.rows.size() == 6 + 7);
  CHECK(layout.rows[0].kind == Row::Kind::RunHeader);
  CHECK(runs[0].lanes[layout.rows[3].lane].kind == trace::LaneKind::Gil);
  CHECK(layout.rows[6].run == 1);
  CHECK(layout.rows[6].y == doctest::Approx(20 + 5 * 10 + 5));
  CHECK(layout.total_height == doctest::Approx(20 + 50 + 5 + 20 + 60 + 5));
  CHECK(layout.row_at(25)->lane == 0);
  CHECK(layout.row_at(72) == nullptr);  // the gap after run 0
  CHECK(layout.find(1, 2)->y == doctest::Approx(75 + 20 + 20));

  o.core_height = 4;  // thinner cores: run 0 has two, run 1 one
  CHECK(layout_rows(runs, o).total_height == doctest::Approx(layout.total_height - 3 * 6));

  o.show_cores = false;
  CHECK(layout_rows(runs, o).rows.size() == 4 + 6);

  o.show_cores = true;
  o.hide_idle_cores = true;  // the asyncio run's only core never ran a thread in this fake
  CHECK(idle_cores(runs[1]) == 1);
  CHECK(layout_rows(runs, o).rows.size() == 6 + 6);
}

// The mouse finds the span and the mark under it, with a little slack when zoomed out.
#include <doctest/doctest.h>

#include "fake_runs.hpp"
#include "viz/hit_test.hpp"

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

// The old GIL's lost races on the GIL lane: a tick each zoomed in, a counted band zoomed out.
#include <doctest/doctest.h>

#include "sim/trace/trace_builder.hpp"
#include "viz/lost_races.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::viz;

namespace {

/// T1 holds the GIL from 0 to 1.8 ms while T2 waits: 199 lost races, one every 9 us from
/// 9 us (the model's record of it); a second stretch of 3 from 2 ms, when T2 holds it.
trace::Trace old_gil_run() {
  trace::TraceBuilder b("threads", "threads", "old", trace::Origin::Simulated, 2, 5_ms);
  b.add_cores(2);
  const auto main = b.add_process("main", true);
  const auto t1 = b.add_lane("T1", trace::LaneKind::Thread, main);
  const auto t2 = b.add_lane("T2", trace::LaneKind::Thread, main);
  b.mark(9_us, trace::MarkKind::RacesLost, t1, 199, 9'000);
  b.mark(2'009_us, trace::MarkKind::RacesLost, t2, 3, 9'000);
  return b.finish(Time{2'100'000});
}

TimeView view_of(Time from, double ns_per_px, double width) {
  TimeView v;
  v.set_width(width);
  v.set(static_cast<double>(from.ns()), ns_per_px);
  return v;
}

}  // namespace

TEST_CASE("lost races sit on their process's GIL lane") {
  const trace::Trace run = old_gil_run();
  const auto by_lane = races_lost_by_gil_lane(run);
  const trace::LaneId gil = run.processes[0].gil_lane;
  REQUIRE(by_lane.size() == run.lanes.size());
  CHECK(by_lane[gil].size() == 2);
  for (trace::LaneId l = 0; l < by_lane.size(); ++l) {
    if (l != gil) CHECK(by_lane[l].empty());
  }
}

TEST_CASE("zoomed in, each lost race is a tick; zoomed out, a band that counts them") {
  const trace::Trace run = old_gil_run();
  const auto marks = races_lost_by_gil_lane(run)[run.processes[0].gil_lane];
  LostRaces out;
  SUBCASE("0-100 us on 1000 px: races 90 px apart, the 11 of them in view drawn one by one") {
    lost_races_in_view(run, marks, view_of(Time::zero(), 100, 1000), 4.0, out);
    CHECK(out.bands.empty());
    CHECK_FALSE(band_label(out));  // ticks alone: each one a race, nothing to count
    REQUIRE(out.ticks.size() == 11);  // 9, 18, ... 99 us
    CHECK(out.ticks.front() == doctest::Approx(90));
    CHECK(out.ticks.back() == doctest::Approx(990));
  }
  SUBCASE("the whole run on 210 px: a race every 0.9 px, one band each stretch, every race counted") {
    lost_races_in_view(run, marks, view_of(Time::zero(), 10'000, 210), 4.0, out);
    CHECK(out.ticks.empty());
    REQUIRE(out.bands.size() == 2);
    CHECK(out.bands[0].count == 199);
    CHECK(out.bands[0].x0 == doctest::Approx(0.9));
    CHECK(out.bands[0].x1 == doctest::Approx(179.1));  // the last loss, at 1791 us
    CHECK(out.bands[1].count == 3);
    CHECK(out.in_view() == 202);
    // Two bands: the one count written is the view's, on the wider band, never 199 beside a
    // band of 3 that says nothing.
    const auto label = band_label(out);
    REQUIRE(label);
    CHECK(label->x0 == doctest::Approx(0.9));  // over both bands
    CHECK(label->x1 == doctest::Approx(out.bands[1].x1));
    CHECK(label->text == "202 races lost in view");
  }
  SUBCASE("1-2 ms on 200 px: the band holds only the races in view") {
    lost_races_in_view(run, marks, view_of(1_ms, 5'000, 200), 4.0, out);
    REQUIRE(out.bands.size() == 1);
    CHECK(out.bands[0].count == 88);  // 1008 us to 1791 us
    CHECK(out.bands[0].x0 == doctest::Approx(1.6));
    const auto label = band_label(out);  // one band, no tick: its count is the view's
    REQUIRE(label);
    CHECK(label->text == "88 races lost");
  }
  SUBCASE("bands less than a pixel apart merge, counts added") {
    lost_races_in_view(run, marks, view_of(Time::zero(), 1'000'000, 3), 4.0, out);
    REQUIRE(out.bands.size() == 1);
    CHECK(out.bands[0].count == 202);
  }
}

TEST_CASE("a comb's count is written clear of the waiters' chips, the badge and the playhead drawn over the lane") {
  // Lesson 11 presented at 1280x720 at 560 ms: a comb over the whole lane, the count centred
  // on it, and the chip "T1 76.8 us" left of the playhead over its middle left "es lost".
  const BandLabel whole{0, 1000, "112,261 races lost"};
  SUBCASE("nothing over the middle: centred") {
    CHECK(band_label_left(whole, 120, 1000, {{100, 200}}) == doctest::Approx(440));
  }
  SUBCASE("a chip over the middle, the playhead right of it: right of the playhead, 4 px clear") {
    CHECK(band_label_left(whole, 120, 1000, {{400, 500}, {505, 507}}) == doctest::Approx(511));
  }
  SUBCASE("chips up to a playhead near the right edge: at the comb's start, left of them") {
    CHECK(band_label_left(whole, 120, 1000, {{300, 940}, {945, 947}}) == doctest::Approx(0));
  }
  SUBCASE("a narrow comb under a chip: beside it on the lane") {
    CHECK(band_label_left(BandLabel{400, 560, "88 races lost"}, 120, 1000, {{380, 600}}) == doctest::Approx(604));
  }
  SUBCASE("a comb narrower than its count: not written") {
    CHECK_FALSE(band_label_left(BandLabel{400, 500, "88 races lost"}, 120, 1000, {}));
  }
  SUBCASE("covered from end to end: not written") {
    CHECK_FALSE(band_label_left(whole, 120, 1000, {{0, 1000}}));
  }
}

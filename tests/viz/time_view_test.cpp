// Zoom and pan keep the right time under the mouse; ticks fall on 1/2/5 steps with units.
#include <doctest/doctest.h>

#include "viz/time_ticks.hpp"
#include "viz/time_view.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::viz;

TEST_CASE("the view maps time to pixels and back") {
  TimeView v;
  v.set_width(1000);
  v.set(0, 1e3);  // 1 us per pixel
  CHECK(v.x_of(250_us) == doctest::Approx(250));
  CHECK(v.time_at(250) == 250_us);
  CHECK(v.end() == 1_ms);
}

TEST_CASE("zooming keeps the time under the cursor in place") {
  TimeView v;
  v.set_width(800);
  v.set(0, 1e4);
  const Time under = v.time_at(300);
  SUBCASE("in") { v.zoom_around(300, 2.0); }
  SUBCASE("out") { v.zoom_around(300, 0.25); }
  SUBCASE("many small steps") {
    for (int i = 0; i < 10; ++i) v.zoom_around(300, 1.1);
  }
  CHECK(v.time_at(300) == under);
}

TEST_CASE("zooming in twice halves the nanoseconds per pixel twice") {
  TimeView v;
  v.set(0, 1000);
  v.zoom_around(0, 2);
  v.zoom_around(0, 2);
  CHECK(v.ns_per_px() == doctest::Approx(250));
  v.zoom_around(0, 1e12);
  CHECK(v.ns_per_px() == doctest::Approx(TimeView::kMinNsPerPx));
}

TEST_CASE("dragging moves the content with the mouse") {
  TimeView v;
  v.set_width(1000);
  v.set(0, 1e3);
  const Time at_100 = v.time_at(100);
  v.pan_px(50);  // drag right by 50 px: what was at 100 px is now at 150 px
  CHECK(v.time_at(150) == at_100);
}

TEST_CASE("fit shows the whole range with a small margin") {
  TimeView v;
  v.set_width(1000);
  v.fit(0_ms, 100_ms);
  CHECK(v.x_of(0_ms) > 0);
  CHECK(v.x_of(100_ms) < 1000);
  CHECK(v.x_of(0_ms) == doctest::Approx(1000 - v.x_of(100_ms)));
  CHECK(v.x_of(0_ms) < 30);
  // docs/viewer.md's --view: 400ms..507ms shows 397.86 ms to 509.14 ms, 2% of it each side.
  v.fit(400_ms, 507_ms);
  CHECK(v.start().ns() == doctest::Approx(397'860'000).epsilon(1e-9));
  CHECK(v.end().ns() == doctest::Approx(509'140'000).epsilon(1e-9));
}

TEST_CASE("keep_visible pages only when the time is off screen") {
  TimeView v;
  v.set_width(1000);
  v.set(0, 1e3);
  v.keep_visible(500_us);
  CHECK(v.start_ns() == 0);
  v.keep_visible(3_ms);
  CHECK(v.x_of(3_ms) == doctest::Approx(100));
}

TEST_CASE("limit stops zooming out far past the whole trace and panning away from it") {
  TimeView v;
  v.set_width(1000);
  v.set(-1e12, 1e9);
  v.limit(100_ms);
  CHECK(v.ns_per_px() == doctest::Approx(100e6 * 1.5 / 1000));
  CHECK(v.x_of(0_ms) <= 500);
  CHECK(v.x_of(0_ms) >= 0);
}

TEST_CASE("tick steps are 1, 2 or 5 times a power of ten") {
  CHECK(nice_step(1e3, 80) == 100_us);   // 80 us wanted
  CHECK(nice_step(1e3, 100) == 100_us);  // exactly 100 us
  CHECK(nice_step(1e3, 101) == 200_us);
  CHECK(nice_step(1e5, 150) == 20_ms);   // 15 ms wanted
  CHECK(nice_step(4e5, 100) == 50_ms);   // 40 ms wanted
  CHECK(nice_step(0.01, 80) == 1_ns);
}

TEST_CASE("tick labels use the unit the text timeline writes the same instant in") {
  CHECK(tick_label(0_ms) == "0 s");
  CHECK(tick_label(200_ms) == "200 ms");  // "200 ms" in the text timeline, never "0.2 s"
  CHECK(tick_label(10_ms) == "10 ms");
  CHECK(tick_label(1500_us) == "1.5 ms");
  CHECK(tick_label(150_us) == "150 us");
  CHECK(tick_label(2_s) == "2 s");
  CHECK(tick_label(2500_ms) == "2.5 s");
  CHECK(tick_label(Time{1'000'100'000}) == "1.0001 s");  // a fine step past a second keeps its digits
  // Thousands grouped as the command line groups them (lesson 3's axis said "1000 s" where
  // `gilsim run 03` says "1,000 s").
  CHECK(tick_label(1200_s) == "1,200 s");
  CHECK(tick_label(1000_s) == "1,000 s");
  CHECK(tick_label(Time{-1'500'000'000'000}) == "-1,500 s");
  CHECK(tick_label(Time{40}) == "40 ns");
}

TEST_CASE("ticks cover the view, labelled ones on the step, minor ones between") {
  TimeView v;
  v.set_width(1000);
  v.set(0, 1e5);  // 100 ms across
  const auto ticks = time_ticks(v, 80);  // step 10 ms, minor every 5 ms
  REQUIRE(!ticks.empty());
  CHECK(ticks.front().at == 0_ms);
  CHECK(ticks.back().at == 100_ms);
  int labelled = 0;
  for (const Tick& t : ticks) {
    CHECK(t.at.ns() % (5_ms).ns() == 0);
    if (t.labelled) {
      ++labelled;
      CHECK(t.at.ns() % (10_ms).ns() == 0);
    }
  }
  CHECK(labelled == 11);
  CHECK(ticks.size() == 21);
  CHECK(ticks[2].label == "10 ms");
}

TEST_CASE("axis labels stay inside the axis: the last one is pulled left, or left out if it would touch the one before") {
  const auto ten_px_a_char = [](const std::string& text) { return 10.0 * static_cast<double>(text.size()); };
  const auto tick = [](double x, std::string label) { return Tick{Time{0}, x, true, std::move(label), {}}; };
  // Ticks every 100 px on a 250 px axis: "0" at 3, "100 ms" at 103; "200 ms" would end at
  // 263, so it ends at the edge instead (190..250), clear of "100 ms" (103..163, gap 3).
  std::vector<Tick> ticks{tick(0, "0"), tick(100, "100 ms"), tick(200, "200 ms")};
  place_labels(ticks, 250, 3, ten_px_a_char);
  REQUIRE(ticks[0].label_left.has_value());
  CHECK(*ticks[0].label_left == doctest::Approx(3));
  CHECK(*ticks[1].label_left == doctest::Approx(103));
  REQUIRE(ticks[2].label_left.has_value());
  CHECK(*ticks[2].label_left == doctest::Approx(190));
  // On a 220 px axis it would start at 160, over "100 ms": left out, its tick still drawn.
  place_labels(ticks, 220, 3, ten_px_a_char);
  CHECK(*ticks[1].label_left == doctest::Approx(103));
  CHECK_FALSE(ticks[2].label_left.has_value());
  // Minor ticks and ticks outside the axis carry no label.
  std::vector<Tick> others{Tick{Time{0}, 50, false, {}, {}}, tick(-20, "0"), tick(300, "300 ms")};
  place_labels(others, 250, 3, ten_px_a_char);
  for (const Tick& t : others) CHECK_FALSE(t.label_left.has_value());
}

TEST_CASE("aligned at their ends, a shorter run is drawn wider so that its end meets the axis's end") {
  using gilsim::Time;
  CHECK(gilsim::viz::end_stretch(Time{400}, Time{1000}) == doctest::Approx(2.5));
  CHECK(gilsim::viz::end_stretch(Time{0}, Time{1000}) == doctest::Approx(1.0));
  gilsim::viz::TimeView shared;
  shared.set_width(500);
  shared.set(100, 2);  // 100..1100 ns on 500 px
  const auto run = gilsim::viz::stretched(shared, gilsim::viz::end_stretch(Time{400}, Time{1000}));
  CHECK(run.x_of(Time{400}) == doctest::Approx(shared.x_of(Time{1000})));  // the ends meet
  CHECK(run.x_of(Time{200}) == doctest::Approx(shared.x_of(Time{500})));   // halfway is halfway
  CHECK(run.width_px() == doctest::Approx(500));
  CHECK(run.time_at(shared.x_of(Time{1000})).ns() == 400);
}

// Visible spans become draw items; sub-pixel spans fold into one item of the dominant state.
#include <doctest/doctest.h>

#include "fake_runs.hpp"
#include "viz/level_of_detail.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::viz;
using trace::Span;
using trace::SpanState;

namespace {

std::vector<Span> spans_of(std::initializer_list<std::tuple<std::int64_t, std::int64_t, SpanState>> list) {
  std::vector<Span> out;
  for (auto [b, e, s] : list) out.push_back(Span{Time{b}, Time{e}, trace::kNone, trace::kNoStep, s, 0});
  return out;
}

}  // namespace

TEST_CASE("wide spans become one item each, clipped to the view") {
  const auto spans = spans_of({{0, 100, SpanState::Running}, {100, 300, SpanState::WaitingGil},
                               {400, 2000, SpanState::BlockedIo}});
  TimeView v;
  v.set_width(100);
  v.set(50, 10);  // 50..1050 ns, 10 ns per pixel
  std::vector<DrawItem> items;
  build_draw_items(spans, v, items);
  REQUIRE(items.size() == 3);
  CHECK(items[0].x0 == doctest::Approx(-1));  // clipped at the left edge
  CHECK(items[0].x1 == doctest::Approx(5));
  CHECK(items[1].x0 == doctest::Approx(5));
  CHECK(items[1].x1 == doctest::Approx(25));
  CHECK(items[2].state == SpanState::BlockedIo);
  CHECK(items[2].x1 == doctest::Approx(101));  // clipped at the right edge
  CHECK(!items[0].folded());
}

TEST_CASE("spans outside the view produce nothing") {
  const auto spans = spans_of({{0, 100, SpanState::Running}, {5000, 6000, SpanState::Running}});
  TimeView v;
  v.set_width(100);
  v.set(200, 10);  // 200..1200
  std::vector<DrawItem> items;
  build_draw_items(spans, v, items);
  CHECK(items.empty());
}

TEST_CASE("narrow spans fold into one item showing the state that takes most time") {
  // 1 ns per pixel would show them; at 100 ns per pixel, 10 spans inside one 200 ns bucket fold.
  std::vector<Span> spans;
  for (int i = 0; i < 10; ++i) {
    const SpanState s = i % 3 == 0 ? SpanState::WaitingGil : SpanState::Running;  // 4 waiting, 6 running
    spans.push_back(Span{Time{i * 20}, Time{i * 20 + 20}, 7, trace::kNoStep, s, 0});
  }
  TimeView v;
  v.set_width(100);
  v.set(0, 100);
  std::vector<DrawItem> items;
  build_draw_items(spans, v, items);
  REQUIRE(items.size() == 1);
  CHECK(items[0].folded());
  CHECK(items[0].span_count == 10);
  CHECK(items[0].first_span == 0);
  CHECK(items[0].state == SpanState::Running);
  CHECK(items[0].subject == 7);
  CHECK(items[0].x1 - items[0].x0 == doctest::Approx(2.0));
}

TEST_CASE("a wide span after narrow ones in the same bucket is drawn on its own") {
  const auto spans = spans_of({{0, 10, SpanState::Running}, {10, 20, SpanState::WaitingGil},
                               {20, 5000, SpanState::BlockedIo}});
  TimeView v;
  v.set_width(100);
  v.set(0, 100);
  std::vector<DrawItem> items;
  build_draw_items(spans, v, items);
  REQUIRE(items.size() == 2);
  CHECK(items[0].span_count == 2);
  CHECK(items[1].state == SpanState::BlockedIo);
  CHECK(items[1].span_count == 1);
}

TEST_CASE("a lone narrow span still shows as a hairline") {
  const auto spans = spans_of({{1000, 1001, SpanState::WaitingGil}});
  TimeView v;
  v.set_width(100);
  v.set(0, 100);
  std::vector<DrawItem> items;
  build_draw_items(spans, v, items);
  REQUIRE(items.size() == 1);
  CHECK(items[0].x1 - items[0].x0 >= 1.0);
}

TEST_CASE("a million spans fold to a few items per pixel, and each span is drawn once at most") {
  const trace::Trace t = viz::testing::many_spans(1'000'000);  // 1 s of 1 us spans
  const auto& spans = t.lanes.back().spans;
  TimeView v;
  v.set_width(1000);
  v.fit(0_ms, t.end);
  std::vector<DrawItem> items;
  build_draw_items(spans, v, items);
  CHECK(items.size() <= 1000);
  CHECK(items.size() >= 400);
  std::size_t covered = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    covered += items[i].span_count;
    if (i > 0) CHECK(items[i].first_span == items[i - 1].first_span + items[i - 1].span_count);
  }
  CHECK(covered == spans.size());
}

TEST_CASE("zoomed in on a busy lane, only the visible spans are visited") {
  const trace::Trace t = viz::testing::many_spans(100'000);
  TimeView v;
  v.set_width(1000);
  v.set(50'000'000, 10);  // 50 ms .. 50.01 ms: ten 1 us spans
  std::vector<DrawItem> items;
  build_draw_items(t.lanes.back().spans, v, items);
  CHECK(items.size() == 10);
  CHECK(items.front().first_span == 50'000);
}

// Visible spans become draw items; sub-pixel spans fold into one item of the dominant state.
#include <algorithm>
#include <array>

#include <doctest/doctest.h>

#include "fake_runs.hpp"
#include "viz/level_of_detail.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::viz;
using trace::Span;
using trace::SpanState;

namespace {

trace::SpanStore spans_of(std::initializer_list<std::tuple<std::int64_t, std::int64_t, SpanState>> list) {
  trace::SpanStore out;
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
  trace::SpanStore spans;
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

TEST_CASE("only marks that get a glyph are indexed, per lane") {
  const trace::Trace t = viz::testing::two_threads();
  const LaneMarks by_lane = marks_by_lane(t);
  REQUIRE(by_lane.glyphs.size() == t.lanes.size());
  REQUIRE(by_lane.job_ends.size() == t.lanes.size());
  // T2 (lane 4): the drop request at 6 ms and its job end at 20 ms, kept apart (a job end is a
  // dot drawn 2 px apart); requests and starts get no glyph.
  REQUIRE(by_lane.glyphs[4].size() == 1);
  CHECK(t.marks[by_lane.glyphs[4][0]].kind == trace::MarkKind::DropRequest);
  REQUIRE(by_lane.job_ends[4].size() == 1);
  CHECK(t.marks[by_lane.job_ends[4][0]].at == 20_ms);
  // The kinds the run has, glyph or not, for the legend.
  std::array<bool, trace::kMarkKindCount> kinds{};
  for (const trace::Mark& m : t.marks) kinds[static_cast<std::size_t>(m.kind)] = true;
  CHECK(by_lane.kinds == kinds);
  CHECK(std::count(kinds.begin(), kinds.end(), false) > 0);  // so the comparison can fail
}

TEST_CASE("dense marks thin out to one per few pixels; sparse ones all show") {
  trace::TraceBuilder b("r", "threads", "new", trace::Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", true);
  const auto lane = b.add_lane("T1", trace::LaneKind::Thread, p);
  for (int i = 0; i < 100'000; ++i) b.mark(Time{i * 100}, trace::MarkKind::ForcedSwitch, lane);
  const trace::Trace t = b.finish(10_ms);
  const auto by_lane = marks_by_lane(t).glyphs;
  TimeView v;
  v.set_width(1000);
  v.set(0, 1e4);  // 10 ms across 1000 px: 100 marks per pixel
  std::vector<std::uint32_t> shown;
  visible_marks(t, by_lane[lane], v, 5.0, shown);
  CHECK(shown.size() <= 1000 / 5 + 4);
  CHECK(shown.size() >= 1000 / 5 - 4);
  for (std::size_t i = 1; i < shown.size(); ++i) {
    CHECK(v.x_of(t.marks[shown[i]].at) - v.x_of(t.marks[shown[i - 1]].at) >= 5.0 - 1e-9);
  }
  shown.clear();
  v.set(0, 1.0);  // 1 ns per pixel: the first ten marks, 100 px apart
  visible_marks(t, by_lane[lane], v, 5.0, shown);
  CHECK(shown.size() == 11);  // 0, 100, ..., 1000 ns (the last one just at the edge)
}

TEST_CASE("sparse activity stays sparse: a 1 us span per millisecond covers a thousandth of its pixels") {
  trace::SpanStore spans;
  for (int i = 0; i < 1000; ++i) spans.push_back(Span{Time{i * 1'000'000}, Time{i * 1'000'000 + 1'000}, 0, trace::kNoStep, SpanState::Running, 0});
  TimeView v;
  v.set_width(100);
  v.set(0, 1e7);  // 10 ms per pixel: ten spans per column
  std::vector<DrawItem> items;
  const auto prefix = covered_time_prefix(spans);
  build_draw_items(spans, v, items, {}, prefix);
  REQUIRE(!items.empty());
  for (const DrawItem& item : items) CHECK(item.coverage < 0.01f);
  // A lone span a pixel wide, sparse too: 1 us in a 10 ms pixel.
  items.clear();
  const trace::SpanStore one{spans[0]};
  v.set(0, 1e7);
  build_draw_items(one, v, items);
  REQUIRE(items.size() == 1);
  CHECK(items[0].coverage == doctest::Approx(1e-4).epsilon(0.01));
  // Busy spans back to back stay solid.
  const auto busy = spans_of({{0, 500, SpanState::Running}, {500, 1000, SpanState::Running}});
  items.clear();
  v.set(0, 1000);
  build_draw_items(busy, v, items, {}, covered_time_prefix(busy));
  REQUIRE(items.size() == 1);
  CHECK(items[0].coverage == doctest::Approx(1.0));
}

TEST_CASE("a mark 2 px after the one before is always drawn; closer ones are counted as folded") {
  trace::TraceBuilder b("r", "threads", "new", trace::Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", true);
  const auto lane = b.add_lane("T1", trace::LaneKind::Thread, p);
  // At 1 ns per pixel: marks at 0, 1, 2 (folded? no: 2 px after 0), 3, 10.
  for (int at : {0, 1, 2, 3, 10}) b.mark(Time{at}, trace::MarkKind::JobEnd, lane);
  const trace::Trace t = b.finish(20_ms);
  const auto by_lane = marks_by_lane(t).job_ends;
  TimeView v;
  v.set_width(100);
  v.set(0, 1.0);
  std::vector<std::uint32_t> shown;
  const std::size_t folded = visible_marks(t, by_lane[lane], v, 2.0, shown);
  std::vector<std::int64_t> at;
  for (auto m : shown) at.push_back(t.marks[m].at.ns());
  CHECK(at == std::vector<std::int64_t>{0, 2, 10});
  CHECK(folded == 2);
}

TEST_CASE("first_span_ending_after finds what std::upper_bound finds over the spans, wide ones and gaps too") {
  // One lane over several groups of 64 spans: spans on from each other, gaps, empty spans, and
  // spans kept whole (after an idle time past a record's gap, or a subject past its field).
  std::vector<Span> spans;
  std::int64_t t = 0;
  for (std::uint32_t i = 0; i < 300; ++i) {
    const std::int64_t gap = i % 5 == 0 ? (i % 35 == 0 ? (std::int64_t{1} << 25) + 3 : 7) : 0;
    const std::int64_t length = (i * 37) % 90;  // some empty
    const std::uint32_t subject = i % 41 == 0 ? trace::SpanStore::kMaxSubject + 1 : i % 9;
    spans.push_back(Span{Time{t + gap}, Time{t + gap + length}, subject, 0, SpanState::Running, 0});
    t += gap + length;
  }
  trace::SpanStore store;
  for (const Span& s : spans) store.push_back(s);
  REQUIRE(store.wide_count() > 5);
  std::vector<std::int64_t> probes{-3, t + 3};
  for (const Span& s : spans) {
    for (const std::int64_t edge : {s.begin.ns(), s.end.ns()}) probes.insert(probes.end(), {edge - 1, edge, edge + 1});
  }
  for (const std::int64_t at : probes) {
    CAPTURE(at);
    const auto want = std::upper_bound(spans.begin(), spans.end(), Time{at},
                                       [](Time v, const Span& s) { return v < s.end; }) - spans.begin();
    CHECK(first_span_ending_after(store, Time{at}) == static_cast<std::size_t>(want));
  }
  CHECK(first_span_ending_after(trace::SpanStore{}, Time{5}) == 0);
}

TEST_CASE("a fold keeps its second state in proportion: threads running a quarter of each pixel show a quarter") {
  // Lesson 11's old GIL zoomed out: each thread runs 5 ns in every 20 ns, far below a pixel.
  // The fold is mostly waiting; its running quarter must not vanish into the waiting colour.
  trace::SpanStore spans;
  for (int i = 0; i < 40; ++i) {
    spans.push_back(Span{Time{i * 20}, Time{i * 20 + 5}, 7, trace::kNoStep, SpanState::Running, 0});
    spans.push_back(Span{Time{i * 20 + 5}, Time{i * 20 + 20}, 7, trace::kNoStep, SpanState::WaitingGil, 0});
  }
  TimeView v;
  v.set_width(8);
  v.set(0, 100);  // 100 ns per pixel: 10 spans to a 200 ns bucket
  std::vector<DrawItem> items;
  build_draw_items(spans, v, items);
  REQUIRE(!items.empty());
  for (const DrawItem& item : items) {
    REQUIRE(item.folded());
    CHECK(item.state == SpanState::WaitingGil);
    CHECK(item.minor_state == SpanState::Running);
    CHECK(item.minor_share == doctest::Approx(0.25).epsilon(0.01));
  }
  // A fold of one state has no second one.
  trace::SpanStore alike;
  for (int i = 0; i < 40; ++i) alike.push_back(Span{Time{i * 20}, Time{i * 20 + 20}, 7, trace::kNoStep, SpanState::Running, 0});
  items.clear();
  build_draw_items(alike, v, items);
  for (const DrawItem& item : items) CHECK(item.minor_share == 0.0f);
}

TEST_CASE("a fold of a repeating cycle shows the state of most time, whatever the cycle's phase against the samples") {
  // Lesson 15's locked threads zoomed out: a cycle of four states (the GIL 21 ns, the lock
  // 52 ns, native 20 ns, a wake 7 ns) repeats far below a pixel. Spans sampled at a fixed
  // stride that is a multiple of the cycle all read the same state: the GIL, not the lock.
  constexpr std::array<std::pair<std::int64_t, SpanState>, 4> kCycle{{{21, SpanState::WaitingGil},
                                                                      {52, SpanState::WaitingLock},
                                                                      {20, SpanState::Native},
                                                                      {7, SpanState::Waking}}};
  trace::SpanStore spans;
  std::int64_t at = 0;
  for (int i = 0; i < 4 * 2000; ++i) {
    const auto [length, state] = kCycle[static_cast<std::size_t>(i % 4)];
    spans.push_back(Span{Time{at}, Time{at + length}, 7, trace::kNoStep, state, 0});
    at += length;
  }
  // 1,155 ns a pixel: a fold of 2,310 ns holds 93 spans from its GIL wait on, and 24
  // samples 4 spans apart (92 / 23) would all be waits for the GIL.
  for (const double ns_per_px : {1155.0, 1000.0, 1733.0, 2500.0, 4000.0}) {
    CAPTURE(ns_per_px);
    TimeView v;
    v.set_width(60);
    v.set(0, ns_per_px);
    std::vector<DrawItem> items;
    build_draw_items(spans, v, items);
    REQUIRE(items.size() > 20);
    for (const DrawItem& item : items) {
      if (!item.folded() || item.span_count < 40) continue;
      CHECK(item.state == SpanState::WaitingLock);
      CHECK((item.minor_state == SpanState::WaitingGil || item.minor_state == SpanState::Native));
      CHECK(item.minor_share == doctest::Approx(0.205).epsilon(0.5));
    }
  }
}

TEST_CASE("a fold of holders in turn names the one that held longest, whatever their order against the samples") {
  // A GIL lane: four holders in turn, subject 1 for 40 ns, then 30, 20 and subject 0 for
  // 10; subject 0 must not read as the holder because the samples fall on its holds.
  trace::SpanStore spans;
  std::int64_t at = 0;
  constexpr std::array<std::int64_t, 4> kHeld{10, 40, 30, 20};  // subject 0 first: the first sample's
  for (int i = 0; i < 4 * 2000; ++i) {
    const std::size_t who = static_cast<std::size_t>(i % 4);
    spans.push_back(Span{Time{at}, Time{at + kHeld[who]}, static_cast<std::uint32_t>(who), trace::kNoStep,
                         SpanState::Held, 0});
    at += kHeld[who];
  }
  for (const double ns_per_px : {1150.0, 1000.0, 2600.0}) {
    CAPTURE(ns_per_px);
    TimeView v;
    v.set_width(60);
    v.set(0, ns_per_px);
    std::vector<DrawItem> items;
    build_draw_items(spans, v, items);
    std::size_t named_t1 = 0, folds = 0;
    for (const DrawItem& item : items) {
      if (!item.folded() || item.span_count < 40) continue;
      ++folds;
      named_t1 += item.subject == 1 ? 1 : 0;
      CHECK(item.subject != 0);  // subject 0, a tenth of the time, never
    }
    REQUIRE(folds > 20);
    CHECK(named_t1 * 10 >= folds * 9);  // 40% of the time against 30%: sampled, so nearly always
  }
}

TEST_CASE("a fold always moves on, whatever the rounding of its bucket's end") {
  // At 1,298.4 ns a pixel a bucket is 2,596.8 ns, and (floor(b / w) + 1) * w for the span
  // beginning at b = 1,207,512 ns rounded back to b: a fold of no span, drawn again and again
  // until memory ran out. Each span is drawn once at most, at each of these zooms.
  trace::SpanStore spans;
  constexpr std::array<std::int64_t, 4> kCycle{21, 52, 20, 7};
  std::int64_t at = 0;
  for (int i = 0; i < 4 * 20'000; ++i) {
    const std::int64_t length = kCycle[static_cast<std::size_t>(i % 4)];
    spans.push_back(Span{Time{at}, Time{at + length}, 7, trace::kNoStep, SpanState::Running, 0});
    at += length;
  }
  const auto prefix = covered_time_prefix(spans);
  for (const double ns_per_px : {1298.4, 1484.9, 2342.8}) {
    CAPTURE(ns_per_px);
    TimeView v;
    v.set_width(2000);
    v.set(0, ns_per_px);
    for (const bool with_prefix : {false, true}) {
      std::vector<DrawItem> items;
      build_draw_items(spans, v, items, {}, with_prefix ? std::span<const std::int64_t>(prefix) : std::span<const std::int64_t>{});
      std::size_t drawn = 0;
      for (const DrawItem& item : items) {
        CHECK(item.first_span == drawn);  // each fold starts where the last one ended
        drawn += item.span_count;
      }
      CHECK(drawn <= spans.size());
      CHECK(items.size() < 2'100);
    }
  }
}

TEST_CASE("marks folded together draw the one that tells the outcome: a lost update among forced switches") {
  trace::TraceBuilder b("r", "threads", "new", trace::Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", true);
  const auto lane = b.add_lane("T1", trace::LaneKind::Thread, p);
  // At 1 ns per pixel, 5 px apart: switches at 0, 1, 3 and 9, a lost update at 2, another at 20.
  for (int at : {0, 1, 3, 9}) b.mark(Time{at}, trace::MarkKind::ForcedSwitch, lane);
  b.mark(Time{2}, trace::MarkKind::LostUpdate, lane);
  b.mark(Time{20}, trace::MarkKind::LostUpdate, lane);
  const trace::Trace t = b.finish(20_ms);
  const LaneMarks by_lane = marks_by_lane(t);
  REQUIRE(by_lane.telling[lane].size() == 2);
  TimeView v;
  v.set_width(100);
  v.set(0, 1.0);
  const auto drawn = [&](const std::vector<std::uint32_t>& telling) {
    std::vector<std::uint32_t> shown;
    const std::size_t folded = visible_marks(t, by_lane.glyphs[lane], v, 5.0, shown, telling);
    std::vector<std::pair<std::int64_t, trace::MarkKind>> out;
    for (auto m : shown) out.emplace_back(t.marks[m].at.ns(), t.marks[m].kind);
    CHECK(folded == 3);  // the same windows either way: 0 to 3 (4 marks), 9, 20
    return out;
  };
  using K = trace::MarkKind;
  // The window from 0 draws its lost update, not its first switch; the others are alone.
  CHECK(drawn(by_lane.telling[lane]) ==
        std::vector<std::pair<std::int64_t, K>>{{2, K::LostUpdate}, {9, K::ForcedSwitch}, {20, K::LostUpdate}});
  CHECK(drawn({}) ==
        std::vector<std::pair<std::int64_t, K>>{{0, K::ForcedSwitch}, {9, K::ForcedSwitch}, {20, K::LostUpdate}});
}

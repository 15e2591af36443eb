// The trace's spans packed in 16 bytes: every span comes back exactly as it went in, at the
// edges of each packed field and just past them (kept whole), in order, one span for one.
#include "sim/trace/span_store.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/trace/trace_builder.hpp"

using gilsim::Time;
using gilsim::trace::kNone;
using gilsim::trace::kNoStep;
using gilsim::trace::kSpanStateCount;
using gilsim::trace::Span;
using gilsim::trace::SpanState;
using gilsim::trace::SpanStore;

namespace {

bool same(const Span& a, const Span& b) {
  return a.begin == b.begin && a.end == b.end && a.subject == b.subject && a.step == b.step && a.state == b.state;
}

constexpr std::int64_t kMaxBegin = SpanStore::kMaxBegin;
constexpr std::int64_t kMaxDuration = SpanStore::kMaxDuration;
constexpr std::uint32_t kMaxSubject = SpanStore::kMaxSubject;

/// Spans at the edges of every packed field, then spans with one field just past its edge.
std::vector<Span> edge_spans() {
  return {
      Span{Time{0}, Time{1}, 0, 0, SpanState::Running, 0},
      Span{Time{10}, Time{10 + kMaxDuration}, 7, 3, SpanState::WaitingGil, 0},  // the longest packed span
      Span{Time{kMaxBegin}, Time{kMaxBegin + 1}, 1, 2, SpanState::Held, 0},     // the latest packed begin
      Span{Time{kMaxBegin}, Time{kMaxBegin + kMaxDuration}, 1, 2, SpanState::Sleeping, 0},
      Span{Time{5}, Time{6}, kMaxSubject, 0xFFFE, SpanState::Native, 0},  // the largest subject and step
      Span{Time{6}, Time{7}, kNone, kNoStep, SpanState::Runnable, 0},
      Span{Time{7}, Time{7}, 4, 1, SpanState::BlockedIo, 0},  // empty: readers' checks must see it
      // One field past its edge each: kept whole.
      Span{Time{10}, Time{10 + kMaxDuration + 1}, 7, 3, SpanState::WaitingGil, 0},  // the first span too long
      Span{Time{kMaxBegin + 1}, Time{kMaxBegin + 2}, 1, 2, SpanState::Held, 0},
      Span{Time{5}, Time{6}, kMaxSubject + 1, 0, SpanState::Native, 0},
      Span{Time{-1}, Time{6}, 1, 0, SpanState::Starting, 0},
      Span{Time{9}, Time{8}, 1, 0, SpanState::Pickling, 0},  // reversed
      Span{Time{0}, Time::max(), 2, 0, SpanState::Awaiting, 0},
      Span{Time{-5}, Time::max(), 2, 0, SpanState::Ready, 0},  // the widest span there is
  };
}

}  // namespace

TEST_CASE("a span store gives back every span exactly, packed or kept whole") {
  const std::vector<Span> spans = edge_spans();
  SpanStore store;
  for (const Span& s : spans) store.push_back(s);
  REQUIRE(store.size() == spans.size());
  CHECK(store.wide_count() == 7);
  CHECK(store.bytes_used() == spans.size() * 16 + 7 * sizeof(Span));
  for (std::size_t i = 0; i < spans.size(); ++i) {
    CAPTURE(i);
    CHECK(same(store[i], spans[i]));
    CHECK(same(store.at(i), spans[i]));
    CHECK(SpanStore::fits(spans[i]) == (i < 7));
  }
  CHECK_THROWS_AS(store.at(spans.size()), std::out_of_range);
  CHECK(same(store.front(), spans.front()));
  CHECK(same(store.back(), spans.back()));
}

TEST_CASE("spans added two at a time come back as added one at a time, whichever of the pair is kept whole") {
  // append_two() tests the pair's fields at once: each edge span beside each other one, in
  // both orders, must pack exactly when both fit alone, and keep both spans' order and index.
  const std::vector<Span> spans = edge_spans();
  for (std::size_t i = 0; i < spans.size(); ++i) {
    for (std::size_t j = 0; j < spans.size(); ++j) {
      CAPTURE(i);
      CAPTURE(j);
      SpanStore pairs;
      SpanStore single;
      pairs.append_two(spans[i], spans[j]);
      pairs.append_two(spans[j], spans[i]);
      for (const std::size_t k : {i, j, j, i}) single.push_back(spans[k]);
      REQUIRE(pairs.size() == 4);
      CHECK(pairs.wide_count() == single.wide_count());
      CHECK(pairs.bytes_used() == single.bytes_used());
      for (std::size_t k = 0; k < 4; ++k) CHECK(same(pairs[k], single[k]));
    }
  }
}

TEST_CASE("every state and every step packs and comes back") {
  SpanStore store;
  std::vector<Span> spans;
  for (int state = 0; state < kSpanStateCount; ++state) {
    for (std::uint32_t step : {0u, 1u, 0x7FFFu, 0xFFFEu, 0xFFFFu}) {
      const std::int64_t at = static_cast<std::int64_t>(spans.size()) * 100;
      spans.push_back(Span{Time{at}, Time{at + 50}, static_cast<std::uint32_t>(state), static_cast<std::uint16_t>(step),
                           static_cast<SpanState>(state), 0});
      store.push_back(spans.back());
    }
  }
  CHECK(store.wide_count() == 0);
  for (std::size_t i = 0; i < spans.size(); ++i) {
    CAPTURE(i);
    CHECK(same(store[i], spans[i]));
  }
}

TEST_CASE("a span store reads like a sorted vector: iterators, searches, copies") {
  const std::vector<Span> spans = edge_spans();
  SpanStore store;
  store.append(spans.data(), spans.size());
  const std::vector<Span> back(store.begin(), store.end());
  REQUIRE(back.size() == spans.size());
  for (std::size_t i = 0; i < spans.size(); ++i) CHECK(same(back[i], spans[i]));
  CHECK(store.begin()[7].end == Time{10 + kMaxDuration + 1});
  CHECK(store.begin()->end == Time{1});

  // Sorted spans, a long one among them: binary searches see the ends as stored.
  SpanStore lane{Span{Time{0}, Time{5}, 1, 0, SpanState::Running, 0},
                 Span{Time{5}, Time{5 + kMaxDuration + 10}, 1, 0, SpanState::WaitingGil, 0},
                 Span{Time{5 + kMaxDuration + 10}, Time{6 + kMaxDuration + 10}, 1, 0, SpanState::Running, 0}};
  const auto ending_after = [&](Time t) {
    return std::upper_bound(lane.begin(), lane.end(), t, [](Time v, const Span& s) { return v < s.end; }) - lane.begin();
  };
  CHECK(ending_after(Time{4}) == 0);
  CHECK(ending_after(Time{5}) == 1);
  CHECK(ending_after(Time{kMaxDuration}) == 1);
  CHECK(ending_after(Time{5 + kMaxDuration + 10}) == 2);
  CHECK(ending_after(Time{6 + kMaxDuration + 10}) == 3);

  // A copy owns its wide spans: it reads the same after the original is gone.
  auto original = std::make_unique<SpanStore>(store);
  const SpanStore copy(*original);
  original.reset();
  REQUIRE(copy.size() == spans.size());
  CHECK(copy.wide_count() == 7);
  for (std::size_t i = 0; i < spans.size(); ++i) CHECK(same(copy[i], spans[i]));
  SpanStore moved(std::move(store));
  CHECK(store.empty());  // NOLINT(bugprone-use-after-move): a moved-from store is empty
  CHECK(store.wide_count() == 0);
  CHECK(same(moved[13], spans[13]));
  moved.clear();
  CHECK(moved.empty());
  moved.push_back(spans[8]);
  CHECK(moved.wide_count() == 1);
  CHECK(same(moved[0], spans[8]));
}

TEST_CASE("a span longer than the packed form stays one span through the builder") {
  using namespace gilsim::trace;
  TraceBuilder b("threads", "threads", "new", Origin::Simulated, 1, Time{5'000'000});
  const ProcessId p = b.add_process("main", true);
  const LaneId t = b.add_lane("T1", LaneKind::Thread, p);
  const Time long_wait{kMaxDuration + 1};  // about 18 minutes and a nanosecond
  b.set_state(t, Time{0}, SpanState::Running, 0, 0);
  b.set_state(t, Time{1'000}, SpanState::Sleeping, 0, 1);
  b.set_state(t, Time{1'000} + long_wait, SpanState::Running, 0, 2);
  b.set_state(t, Time{2'000} + long_wait, SpanState::Sleeping, 0, 3);
  const Trace tr = b.finish(Time{2'000} + long_wait + Time{kMaxDuration});  // the longest packed
  const SpanStore& spans = tr.lanes[t].spans;
  REQUIRE(spans.size() == 4);
  CHECK(spans.wide_count() == 1);
  CHECK(same(spans[1], Span{Time{1'000}, Time{1'000} + long_wait, 0, 1, SpanState::Sleeping, 0}));
  CHECK(spans[1].duration() == long_wait);
  CHECK(same(spans[3], Span{Time{2'000} + long_wait, Time{2'000} + long_wait + Time{kMaxDuration}, 0, 3,
                            SpanState::Sleeping, 0}));
}

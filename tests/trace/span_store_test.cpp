// The trace's spans in 12-byte records: every span comes back exactly as it went in, at the
// edges of each record's ranges and just past them (kept whole), at every place in its
// group of 64, in order, one span for one.
#include "sim/trace/span_store.hpp"
#include "tests/span_fixtures.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "sim/trace/trace_builder.hpp"

using gilsim::Time;
using gilsim::trace::kNone;
using gilsim::trace::kNoStep;
using gilsim::trace::kSpanStateCount;
using gilsim::trace::Span;
using gilsim::trace::SpanState;
using gilsim::trace::SpanStore;

using gilsim::test::kMaxGap;
using gilsim::test::kMaxReach;
using gilsim::test::kMaxReachAfterGap;
using gilsim::test::kMaxSubject;
using gilsim::test::same;
using gilsim::test::span;

namespace {

constexpr std::int64_t kLatest = std::numeric_limits<std::int64_t>::max();

/// A store's spans as given, with how many of them it should keep whole.
struct Case {
  std::string what;
  std::vector<Span> spans;
  std::size_t wide;
};

/// The group's first span begins at its base (1,000 where not said); each case's last span
/// is at an edge of a range or just past it.
std::vector<Case> edge_cases() {
  return {
      {"a first span of any begin", {span(-5, 10)}, 0},
      {"a first span at the latest begin", {span(kLatest - 1, kLatest)}, 0},
      {"a first span at the longest reach", {span(7, 7 + kMaxReach)}, 0},
      {"a first span past the longest reach", {span(7, 8 + kMaxReach)}, 1},
      {"the widest span there is", {span(-5, kLatest)}, 1},
      {"an empty span", {span(7, 7)}, 0},
      {"a span on from the last at the longest reach", {span(1'000, 1'010), span(1'010, 1'000 + kMaxReach)}, 0},
      {"a span on from the last past the longest reach", {span(1'000, 1'010), span(1'010, 1'001 + kMaxReach)}, 1},
      {"a span after the longest gap at the longest reach after one",
       {span(1'000, 1'010), span(1'010 + kMaxGap, 1'000 + kMaxReachAfterGap)}, 0},
      {"a span after a gap past the longest", {span(1'000, 1'010), span(1'011 + kMaxGap, 1'020 + kMaxGap)}, 1},
      {"a span after a gap past the longest reach after one",
       {span(1'000, 1'010), span(1'011, 1'001 + kMaxReachAfterGap)}, 1},
      {"a span that begins before the last one ends", {span(1'000, 1'010), span(1'009, 1'020)}, 1},
      {"a reversed span, on from the last", {span(1'000, 1'010), span(1'010, 1'005)}, 0},
      {"a reversed span before its group's base", {span(1'000, 1'010), span(1'010, 999)}, 1},
      {"the largest subject and step", {span(1'000, 1'010), span(1'010, 1'020, kMaxSubject, 0xFFFE)}, 0},
      {"no subject and no step", {span(1'000, 1'010), span(1'020, 1'030, kNone, kNoStep)}, 0},
      {"a subject past the largest", {span(1'000, 1'010), span(1'010, 1'020, kMaxSubject + 1)}, 1},
      {"a subject past the largest, first", {span(1'000, 1'010, kMaxSubject + 1)}, 1},
      {"spans on from one kept whole",
       {span(1'000, 1'010, kMaxSubject + 1), span(1'010, 1'020), span(1'030, 1'040)}, 1},
      {"a span after a gap, from the end of one kept whole", {span(1'000, 1'010, kMaxSubject + 1), span(1'015, 1'020)}, 1},
      {"a long first span, then a span after a gap past the reach after one",
       {span(1'000, 1'001 + kMaxReachAfterGap), span(1'001 + kMaxReachAfterGap + 5, 1'002 + kMaxReachAfterGap)}, 1},
  };
}

/// `spans` after `lead` spans that fill the group before them (one on from the other from
/// 0 to 100 ns each, or none): each case at the start, the middle and the end of a group and
/// across into the next.
std::vector<Span> led_by(std::size_t lead, const std::vector<Span>& spans) {
  std::vector<Span> out;
  for (std::size_t i = 0; i < lead; ++i) {
    const auto at = static_cast<std::int64_t>(i) * 10;
    out.push_back(span(at, at + 10, 3, 1, SpanState::WaitingGil));
  }
  out.insert(out.end(), spans.begin(), spans.end());
  return out;
}

}  // namespace

TEST_CASE("a span store gives back every span exactly, in a record or kept whole") {
  for (const Case& c : edge_cases()) {
    CAPTURE(c.what);
    SpanStore store;
    for (const Span& s : c.spans) store.push_back(s);
    REQUIRE(store.size() == c.spans.size());
    CHECK(store.wide_count() == c.wide);
    // A record per span and the group's base; a span kept whole costs its Span too.
    CHECK(store.bytes_used() == (c.spans.size() + 1) * 12 + c.wide * sizeof(Span));
    for (std::size_t i = 0; i < c.spans.size(); ++i) {
      CAPTURE(i);
      CHECK(same(store[i], c.spans[i]));
      CHECK(same(store.at(i), c.spans[i]));
    }
    CHECK_THROWS_AS(store.at(c.spans.size()), std::out_of_range);
    CHECK(same(store.front(), c.spans.front()));
    CHECK(same(store.back(), c.spans.back()));
  }
}

TEST_CASE("a span's place in its group of 64 changes nothing read back, one at a time or in runs") {
  for (const Case& c : edge_cases()) {
    for (const std::size_t lead : {std::size_t{1}, std::size_t{62}, std::size_t{63}, std::size_t{64}, std::size_t{127}}) {
      CAPTURE(c.what);
      CAPTURE(lead);
      // The lead ends at lead * 10 ns; the case's spans follow, moved on to begin after it.
      std::vector<Span> moved = c.spans;
      const std::int64_t shift = static_cast<std::int64_t>(lead) * 10 + 1'000 - c.spans.front().begin.ns();
      const bool movable = c.spans.front().begin.ns() == 1'000;  // the cases at the range's ends stay put
      if (movable) {
        for (Span& s : moved) {
          s.begin = Time{s.begin.ns() + shift};
          s.end = Time{s.end.ns() + shift};
        }
      }
      const std::vector<Span> spans = led_by(lead, moved);
      SpanStore one_by_one;
      for (const Span& s : spans) one_by_one.push_back(s);
      SpanStore in_runs;
      for (std::size_t i = 0; i < spans.size(); i += 3) in_runs.append(spans.data() + i, std::min<std::size_t>(3, spans.size() - i));
      REQUIRE(one_by_one.size() == spans.size());
      REQUIRE(in_runs.size() == spans.size());
      CHECK(in_runs.wide_count() == one_by_one.wide_count());
      CHECK(in_runs.bytes_used() == one_by_one.bytes_used());
      const std::size_t groups = (spans.size() + 63) / 64;
      CHECK(one_by_one.bytes_used() == (spans.size() + groups) * 12 + one_by_one.wide_count() * sizeof(Span));
      for (std::size_t i = 0; i < spans.size(); ++i) {
        CAPTURE(i);
        CHECK(same(one_by_one[i], spans[i]));
        CHECK(same(in_runs[i], spans[i]));
      }
    }
  }
}

TEST_CASE("a span taken back leaves the store as it was before that span, and pushed again, as it was after") {
  for (const Case& c : edge_cases()) {
    for (const std::size_t lead : {std::size_t{0}, std::size_t{1}, std::size_t{63}, std::size_t{64}, std::size_t{127}}) {
      CAPTURE(c.what);
      CAPTURE(lead);
      const std::vector<Span> spans = led_by(lead, c.spans);
      SpanStore before;
      before.append(spans.data(), spans.size() - 1);
      SpanStore store;
      for (const Span& s : spans) store.push_back(s);
      const std::size_t bytes_after = store.bytes_used();
      const Span last = spans.back();
      CHECK(store.back_continues(last.end, last.state, last.subject, last.step));
      // Another end, one nanosecond off (below, where the edge case ends at Time::max()).
      const Time other_end = last.end == Time::max() ? last.end - Time{1} : last.end + Time{1};
      CHECK_FALSE(store.back_continues(other_end, last.state, last.subject, last.step));
      CHECK_FALSE(store.back_continues(last.end, SpanState::Sleeping, last.subject, last.step));
      CHECK_FALSE(store.back_continues(last.end, last.state, last.subject + 1, last.step));
      CHECK_FALSE(store.back_continues(last.end, last.state, last.subject, static_cast<std::uint16_t>(last.step + 1)));
      CHECK(same(store.take_back(), last));
      REQUIRE(store.size() == spans.size() - 1);
      CHECK(store.wide_count() == before.wide_count());
      CHECK(store.bytes_used() == before.bytes_used());
      for (std::size_t i = 0; i + 1 < spans.size(); ++i) {
        CAPTURE(i);
        CHECK(same(store[i], spans[i]));
      }
      // The next span is written from the fields the taken one left, as if it never came.
      store.push_back(last);
      CHECK(store.bytes_used() == bytes_after);
      for (std::size_t i = 0; i < spans.size(); ++i) {
        CAPTURE(i);
        CHECK(same(store[i], spans[i]));
      }
    }
  }
  SpanStore empty;
  CHECK_FALSE(empty.back_continues(Time{0}, SpanState::Running, 1, 0));
}

TEST_CASE("a span that begins its group needs no gap: after a long idle time it begins the group's base") {
  // 64 spans after a long gap each: only the first of each group is in a record.
  std::vector<Span> spans;
  for (std::int64_t i = 0; i < 130; ++i) spans.push_back(span(i * (kMaxGap + 2), i * (kMaxGap + 2) + 1));
  SpanStore store;
  store.append(spans.data(), spans.size());
  CHECK(store.wide_count() == 130 - 3);  // spans 0, 64 and 128 begin their groups
  for (std::size_t i = 0; i < spans.size(); ++i) {
    CAPTURE(i);
    CHECK(same(store[i], spans[i]));
  }
}

TEST_CASE("every state and every step fits a record and comes back") {
  SpanStore store;
  std::vector<Span> spans;
  for (int state = 0; state < kSpanStateCount; ++state) {
    for (std::uint32_t step : {0u, 1u, 0x7FFFu, 0xFFFEu, 0xFFFFu}) {
      const std::int64_t at = static_cast<std::int64_t>(spans.size()) * 100;
      spans.push_back(span(at, at + 50, static_cast<std::uint32_t>(state), static_cast<std::uint16_t>(step),
                           static_cast<SpanState>(state)));
      store.push_back(spans.back());
    }
  }
  CHECK(store.wide_count() == 0);
  for (std::size_t i = 0; i < spans.size(); ++i) {
    CAPTURE(i);
    CHECK(same(store[i], spans[i]));
  }
}

TEST_CASE("a span store reads like a sorted vector: iterators, searches, copies, room") {
  std::vector<Span> spans;
  for (const Case& c : edge_cases()) {
    if (c.spans.front().begin.ns() == 1'000) spans.insert(spans.end(), c.spans.begin(), c.spans.end());
  }
  SpanStore store;
  store.append(spans.data(), spans.size());
  const std::vector<Span> back(store.begin(), store.end());
  REQUIRE(back.size() == spans.size());
  for (std::size_t i = 0; i < spans.size(); ++i) CHECK(same(back[i], spans[i]));
  CHECK(store.begin()[3].end == spans[3].end);
  CHECK(store.begin()->end == Time{1'010});

  // Sorted spans, a long one and a gap among them: binary searches see the ends as stored.
  const SpanStore lane{span(0, 5), span(5, 5 + kMaxReachAfterGap + 10, 1, 0, SpanState::WaitingGil),
                       span(5 + kMaxReachAfterGap + 10, 6 + kMaxReachAfterGap + 10),
                       span(9 + kMaxReachAfterGap + 10, 10 + kMaxReachAfterGap + 10)};
  CHECK(lane.wide_count() == 1);  // the last: after a gap, past the reach after one
  const auto ending_after = [&](Time t) {
    return std::upper_bound(lane.begin(), lane.end(), t, [](Time v, const Span& s) { return v < s.end; }) - lane.begin();
  };
  CHECK(ending_after(Time{4}) == 0);
  CHECK(ending_after(Time{5}) == 1);
  CHECK(ending_after(Time{kMaxReachAfterGap}) == 1);
  CHECK(ending_after(Time{5 + kMaxReachAfterGap + 10}) == 2);
  CHECK(ending_after(Time{6 + kMaxReachAfterGap + 10}) == 3);
  CHECK(ending_after(Time{10 + kMaxReachAfterGap + 10}) == 4);

  // A copy owns its wide spans: it reads the same after the original is gone.
  auto original = std::make_unique<SpanStore>(store);
  const SpanStore copy(*original);
  original.reset();
  REQUIRE(copy.size() == spans.size());
  CHECK(copy.wide_count() == store.wide_count());
  for (std::size_t i = 0; i < spans.size(); ++i) CHECK(same(copy[i], spans[i]));
  SpanStore moved(std::move(store));
  CHECK(store.empty());  // NOLINT(bugprone-use-after-move): a moved-from store is empty
  CHECK(store.wide_count() == 0);
  CHECK(same(moved[spans.size() - 1], spans.back()));
  moved.clear();
  CHECK(moved.empty());
  moved.push_back(span(1'000, 1'010, kMaxSubject + 1));
  CHECK(moved.wide_count() == 1);
  CHECK(same(moved[0], span(1'000, 1'010, kMaxSubject + 1)));

  // Room: an empty store that fits one group gets exactly what was reserved (a group's base
  // takes a record of it); more is room in the table of groups alone, the groups allocated
  // as they are reached.
  SpanStore room;
  room.reserve(5);
  CHECK(room.capacity() == 5);
  room.reserve(64);
  CHECK(room.capacity() == 64);
  room.reserve(200);
  CHECK(room.capacity() == 64);
  SpanStore large;
  large.reserve(1'000'000);
  CHECK(large.capacity() == 0);
}

TEST_CASE("a lane grows a group at a time: its first from 8 by three times, then whole groups, and a copy is of its size") {
  SpanStore store;
  std::vector<std::size_t> rooms;
  for (std::int64_t i = 0; i < 200; ++i) {
    store.push_back(span(i * 10, i * 10 + 10, 1, 0, SpanState::Running));
    if (rooms.empty() || rooms.back() != store.capacity()) rooms.push_back(store.capacity());
  }
  // Records: 2, 8, 24, then the group's 65 (a base and 64 spans); then a whole group of 65
  // records at each group's first span.
  CHECK(rooms == std::vector<std::size_t>{1, 7, 23, 64, 128, 192, 256});
  for (const std::size_t n : {std::size_t{1}, std::size_t{63}, std::size_t{64}, std::size_t{65}, std::size_t{129}}) {
    CAPTURE(n);
    const std::vector<Span> first(store.begin(), store.begin() + static_cast<std::ptrdiff_t>(n));
    SpanStore prefix;
    prefix.append(first.data(), n);
    const SpanStore copy(prefix);
    CHECK(copy.capacity() == n);
    CHECK(copy.size() == n);
    CHECK(same(copy.back(), store[n - 1]));
  }
}

TEST_CASE("a span after an idle time too long for a record stays one span through the builder") {
  using namespace gilsim::trace;
  TraceBuilder b("threads", "threads", "new", Origin::Simulated, 1, Time{5'000'000});
  const ProcessId p = b.add_process("main", true);
  const LaneId t = b.add_lane("T1", LaneKind::Thread, p);
  const Time long_idle{kMaxGap + 1};  // about 33 ms and a nanosecond
  const Time long_wait{kMaxReachAfterGap + 1};  // about 4.3 s
  b.set_state(t, Time{0}, SpanState::Running, 0, 0);
  b.set_state(t, Time{1'000}, SpanState::Sleeping, 0, 1);
  b.clear_state(t, Time{1'000} + long_wait);  // on from the last: the record reaches far enough
  b.set_state(t, Time{1'000} + long_wait + long_idle, SpanState::Running, 0, 2);
  b.set_state(t, Time{2'000} + long_wait + long_idle, SpanState::Sleeping, 0, 3);
  const Trace tr = b.finish(Time{3'000} + long_wait + long_idle);
  const SpanStore& spans = tr.lanes[t].spans;
  REQUIRE(spans.size() == 4);
  CHECK(spans.wide_count() == 1);  // the span after the idle time; the one on from it reaches far enough
  CHECK(same(spans[1], Span{Time{1'000}, Time{1'000} + long_wait, 0, 1, SpanState::Sleeping, 0}));
  CHECK(spans[1].duration() == long_wait);
  CHECK(same(spans[2], Span{Time{1'000} + long_wait + long_idle, Time{2'000} + long_wait + long_idle, 0, 2,
                            SpanState::Running, 0}));
  CHECK(same(spans[3], Span{Time{2'000} + long_wait + long_idle, Time{3'000} + long_wait + long_idle, 0, 3,
                            SpanState::Sleeping, 0}));
}

namespace {

/// Every edge case after leads that put it at each place in a group and across into the
/// next: spans kept whole among ones that begin from the end of the one before.
std::vector<Span> every_case_everywhere() {
  std::vector<Span> out;
  for (const std::size_t lead : {0, 1, 30, 62, 63, 64, 100}) {
    for (const Case& c : edge_cases()) {
      const std::vector<Span> led = led_by(lead, c.spans);
      out.insert(out.end(), led.begin(), led.end());
    }
  }
  return out;
}

}  // namespace

TEST_CASE("a span store's iterator reads each span as stored, in order, backwards, by jumps and in copies") {
  const std::vector<Span> spans = every_case_everywhere();
  SpanStore store;
  store.append(spans.data(), spans.size());
  REQUIRE(store.size() == spans.size());
  REQUIRE(store.wide_count() > 20);
  const auto n = static_cast<std::ptrdiff_t>(spans.size());

  SUBCASE("in order: ++it, it++, range-for, each read twice") {
    std::size_t i = 0;
    for (auto it = store.begin(); it != store.end(); ++it, ++i) {
      CAPTURE(i);
      CHECK(same(*it, spans[i]));
      CHECK(same(*it, spans[i]));
      CHECK(it->end == spans[i].end);
    }
    CHECK(i == spans.size());
    i = 0;
    for (const Span& s : store) CHECK(same(s, spans[i++]));
    i = 0;
    for (auto it = store.begin(); it != store.end();) CHECK(same(*it++, spans[i++]));
  }
  SUBCASE("backwards: --it, it--, after reading forwards") {
    auto it = store.end();
    for (std::ptrdiff_t i = n - 1; i >= 0; --i) {
      --it;
      CAPTURE(i);
      CHECK(same(*it, spans[static_cast<std::size_t>(i)]));
    }
    CHECK(it == store.begin());
    it = store.begin();
    for (std::size_t i = 0; i < spans.size(); ++i) CHECK(same(*it++, spans[i]));
    for (std::ptrdiff_t i = n - 1; i >= 0; --i) CHECK(same(*--it, spans[static_cast<std::size_t>(i)]));
  }
  SUBCASE("jumps: +=, -=, +, -, [], one on after a jump, none read between") {
    auto it = store.begin();
    std::ptrdiff_t at = 0;
    std::uint32_t seed = 12345;
    for (int step = 0; step < 2'000; ++step) {
      seed = seed * 1'103'515'245u + 12'345u;
      const std::ptrdiff_t to = static_cast<std::ptrdiff_t>(seed >> 8) % n;
      switch (step % 4) {
        case 0: it += to - at; break;
        case 1: it -= at - to; break;
        case 2: it = store.begin() + to; break;
        case 3: it = store.end() - (n - to); break;
      }
      at = to;
      CAPTURE(at);
      if (step % 3 != 0) CHECK(same(*it, spans[static_cast<std::size_t>(at)]));
      if (at + 1 < n) {
        CHECK(same(it[1], spans[static_cast<std::size_t>(at + 1)]));
        CHECK(same(*(it + 1), spans[static_cast<std::size_t>(at + 1)]));
      }
      if (at + 2 < n) {  // two on without reading the one between
        it += 2;
        at += 2;
        CHECK(same(*it, spans[static_cast<std::size_t>(at)]));
      }
    }
  }
  SUBCASE("copies: each reads on from where it is, whatever the other read") {
    auto a = store.begin() + 70;
    CHECK(same(*a, spans[70]));
    auto b = a;  // carries what a read
    ++b;
    CHECK(same(*b, spans[71]));
    a += 5;
    CHECK(same(*a, spans[75]));
    ++b;
    CHECK(same(*b, spans[72]));
    b = a;
    ++b;
    CHECK(same(*b, spans[76]));
    CHECK(same(*a, spans[75]));
    CHECK(b - a == 1);
    CHECK(a < b);
    // An iterator of another store, assigned: it reads that store.
    const SpanStore other{span(0, 3), span(3, 9, 2), span(12, 20, 4)};
    auto c = store.begin() + 1;
    CHECK(same(*c, spans[1]));
    c = other.begin();
    CHECK(same(*c, span(0, 3)));
    ++c;
    CHECK(same(*c, span(3, 9, 2)));
    ++c;
    CHECK(same(*c, span(12, 20, 4)));
  }
}

TEST_CASE("std::lower_bound over a span store finds what it finds over the spans it was given") {
  // One lane, one span on from another or after gaps, a few kept whole (long idle times).
  std::vector<Span> spans;
  std::int64_t t = 0;
  for (std::uint32_t i = 0; i < 700; ++i) {
    const std::int64_t gap = i % 5 == 0 ? (i % 35 == 0 ? kMaxGap + 1 : 7) : 0;
    const std::int64_t length = 1 + (i * 37) % 90;
    spans.push_back(span(t + gap, t + gap + length, i % 9, static_cast<std::uint16_t>(i % 4)));
    t += gap + length;
  }
  SpanStore store;
  for (const Span& s : spans) store.push_back(s);
  REQUIRE(store.wide_count() > 0);
  const auto by_begin = [](const Span& s, Time v) { return s.begin < v; };
  const auto by_end = [](Time v, const Span& s) { return v < s.end; };
  std::vector<std::int64_t> probes{-3, t + 3};  // each span's edges and the instants beside them
  for (const Span& s : spans) {
    for (const std::int64_t edge : {s.begin.ns(), s.end.ns()}) probes.insert(probes.end(), {edge - 1, edge, edge + 1});
  }
  for (const std::int64_t at : probes) {
    CAPTURE(at);
    const auto want = std::lower_bound(spans.begin(), spans.end(), Time{at}, by_begin) - spans.begin();
    const auto found = std::lower_bound(store.begin(), store.end(), Time{at}, by_begin);
    CHECK(found - store.begin() == want);
    if (want < static_cast<std::ptrdiff_t>(spans.size())) {
      CHECK(same(*found, spans[static_cast<std::size_t>(want)]));
      auto next = found;  // the search's iterator reads on in order
      for (std::size_t k = static_cast<std::size_t>(want); k < spans.size() && k < static_cast<std::size_t>(want) + 3;
           ++k, ++next) {
        CHECK(same(*next, spans[k]));
      }
    }
    CHECK(std::upper_bound(store.begin(), store.end(), Time{at}, by_end) - store.begin() ==
          std::upper_bound(spans.begin(), spans.end(), Time{at}, by_end) - spans.begin());
  }
}

TEST_CASE("a span's state, begin and end read alone are the whole span's, wide spans and group edges too") {
  const std::vector<Span> spans = every_case_everywhere();
  SpanStore store;
  store.append(spans.data(), spans.size());
  REQUIRE(store.wide_count() > 20);
  for (std::size_t i = 0; i < spans.size(); ++i) {
    CAPTURE(i);
    CHECK(store.state_at(i) == spans[i].state);
    CHECK(store.begin_at(i) == spans[i].begin);
    CHECK(store.end_at(i) == spans[i].end);
  }
}

TEST_CASE("for_each reads every span as stored, from any first span") {
  const std::vector<Span> spans = every_case_everywhere();
  SpanStore store;
  store.append(spans.data(), spans.size());
  REQUIRE(store.wide_count() > 20);
  // From the start, from each place in a group (its first, one inside, its last) and from the end.
  for (std::size_t from = 0; from <= spans.size(); from += (from % 64 == 0 || from % 64 == 63) ? 1 : 29) {
    CAPTURE(from);
    std::size_t i = from;
    bool all_same = true;
    store.for_each([&](const Span& s) { all_same = all_same && i < spans.size() && same(s, spans[i++]); }, from);
    CHECK(all_same);
    CHECK(i == spans.size());
  }
  // A reader that looks at the state alone counts what the spans hold.
  std::size_t waiting = 0;
  store.for_each([&](const Span& s) { waiting += s.state == SpanState::WaitingGil ? 1 : 0; });
  CHECK(waiting == static_cast<std::size_t>(std::count_if(spans.begin(), spans.end(), [](const Span& s) {
          return s.state == SpanState::WaitingGil;
        })));
  std::size_t none = 0;
  SpanStore().for_each([&](const Span&) { ++none; });
  CHECK(none == 0);
}

namespace {

/// The `i`th span of a lane that spans every kind of record: on from the last, after a gap,
/// and now and then one kept whole (whose push goes the slow way in the middle of a group).
Span lane_span(std::size_t i) {
  const auto at = static_cast<std::int64_t>(i) * 100;
  const std::int64_t begin = i % 3 == 1 ? at + 7 : at;  // a gap of 7 ns before every third
  const std::uint32_t subject = i % 97 == 50 ? kMaxSubject + 1 : static_cast<std::uint32_t>(i % 5);
  return span(begin, at + 100, subject, static_cast<std::uint16_t>(i % 11),
              static_cast<SpanState>(i % static_cast<std::size_t>(kSpanStateCount)));
}

/// Whether `store` holds lane_span(0..count) exactly, read every way a reader reads it.
bool holds_lane(const SpanStore& store, std::size_t count) {
  if (store.size() != count) return false;
  std::size_t seen = 0;
  bool ok = true;
  store.for_each([&](const Span& s) { ok = ok && same(s, lane_span(seen++)); });
  if (!ok || seen != count) return false;
  std::size_t i = 0;
  for (const Span& s : store) {
    if (!same(s, lane_span(i++))) return false;
  }
  for (std::size_t j = 0; j < count; ++j) {
    const Span want = lane_span(j);
    if (!same(store[j], want) || store.begin_at(j) != want.begin || store.end_at(j) != want.end ||
        store.state_at(j) != want.state) {
      return false;
    }
  }
  return true;
}

void push_lane(SpanStore& store, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i) {
    const Span s = lane_span(i);
    store.push(s.begin, s.end, s.subject, s.step, s.state);
  }
}

/// Sizes at and beside every edge push() meets: a group's end, each step of the first group's
/// room, and a lane of hundreds of groups (its table grown many times).
std::vector<std::size_t> edge_sizes() {
  std::vector<std::size_t> sizes;
  for (std::size_t n = 0; n <= 3 * SpanStore::kGroup + 2; ++n) sizes.push_back(n);
  for (const std::size_t n : {std::size_t{43'000}, std::size_t{43'690}, std::size_t{43'712}, std::size_t{45'000}}) {
    sizes.push_back(n);
  }
  return sizes;
}

}  // namespace

TEST_CASE("push() writes through the store's room: grown, copied, moved, swapped, reserved or cleared, every span reads back") {
  for (const std::size_t n : edge_sizes()) {
    CAPTURE(n);
    SpanStore store;
    push_lane(store, 0, n);
    REQUIRE(holds_lane(store, n));

    // A copy writes its own records: pushing to it leaves the original as it was, and back.
    SpanStore copy(store);
    push_lane(copy, n, n + 70);
    CHECK(holds_lane(copy, n + 70));
    CHECK(holds_lane(store, n));
    push_lane(store, n, n + 3);
    CHECK(holds_lane(store, n + 3));
    CHECK(holds_lane(copy, n + 70));

    // A move takes the records and where the next one goes; the moved-from store starts again.
    SpanStore moved(std::move(store));
    push_lane(moved, n + 3, n + 80);
    CHECK(holds_lane(moved, n + 80));
    CHECK(store.empty());  // NOLINT(bugprone-use-after-move): a moved-from store is empty
    push_lane(store, 0, 5);  // NOLINT(bugprone-use-after-move)
    CHECK(holds_lane(store, 5));

    // Swapped, each goes on with its own.
    moved.swap(copy);
    push_lane(moved, n + 70, n + 72);
    push_lane(copy, n + 80, n + 81);
    CHECK(holds_lane(moved, n + 72));
    CHECK(holds_lane(copy, n + 81));

    // Reserving grows the table of groups; pushes go on where they were.
    copy.reserve(n + 81 + 50'000);
    push_lane(copy, n + 81, n + 200);
    CHECK(holds_lane(copy, n + 200));

    // A span taken back at any place, then pushed again; cleared, the memory kept and refilled.
    const Span last = moved.take_back();
    CHECK(same(last, lane_span(n + 71)));
    CHECK(holds_lane(moved, n + 71));
    push_lane(moved, n + 71, n + 140);
    CHECK(holds_lane(moved, n + 140));
    const std::size_t room = moved.capacity();
    moved.clear();
    CHECK(moved.capacity() == room);
    push_lane(moved, 0, n + 1);
    CHECK(holds_lane(moved, n + 1));
  }
}

TEST_CASE("taking spans back across a group's start, then pushing, reads as if never pushed") {
  for (const std::size_t n : {SpanStore::kGroup + 1, 2 * SpanStore::kGroup + 1, std::size_t{43'712}}) {
    CAPTURE(n);
    SpanStore store;
    push_lane(store, 0, n);
    for (std::size_t k = 0; k < 3; ++k) store.take_back();  // through the last group's base
    CHECK(holds_lane(store, n - 3));
    CHECK(store.bytes_used() >= (n - 3) * sizeof(SpanStore::Record));
    push_lane(store, n - 3, n + 64);
    CHECK(holds_lane(store, n + 64));
  }
}

TEST_CASE("push_inline() stores every span as push() does: each record's edges, at every place in its group") {
  for (const Case& c : edge_cases()) {
    for (const std::size_t lead : {std::size_t{0}, std::size_t{1}, std::size_t{62}, std::size_t{63}, std::size_t{64}, std::size_t{127}}) {
      CAPTURE(c.what);
      CAPTURE(lead);
      const std::vector<Span> spans = lead == 0 ? c.spans : led_by(lead, c.spans);
      SpanStore pushed;
      SpanStore inline_pushed;
      for (const Span& s : spans) {
        pushed.push_back(s);
        inline_pushed.push_inline(s.begin, s.end, s.subject, s.step, s.state);
      }
      REQUIRE(inline_pushed.size() == spans.size());
      CHECK(inline_pushed.wide_count() == pushed.wide_count());
      CHECK(inline_pushed.bytes_used() == pushed.bytes_used());
      for (std::size_t i = 0; i < spans.size(); ++i) {
        CAPTURE(i);
        CHECK(same(inline_pushed[i], spans[i]));
      }
      // Taken back and pushed again, inline, it reads as before.
      const Span last = inline_pushed.take_back();
      inline_pushed.push_inline(last.begin, last.end, last.subject, last.step, last.state);
      CHECK(same(inline_pushed.back(), spans.back()));
      CHECK(inline_pushed.bytes_used() == pushed.bytes_used());
    }
  }
}

TEST_CASE("push_open() stores every span as push() does: each record's edges, at every place in its group") {
  const auto open_of = [](const Span& s) {
    return SpanStore::Open{.begin = s.begin, .subject = s.subject, .step = s.step, .state = s.state};
  };
  for (const Case& c : edge_cases()) {
    for (const std::size_t lead : {std::size_t{0}, std::size_t{1}, std::size_t{62}, std::size_t{63}, std::size_t{64}, std::size_t{127}}) {
      CAPTURE(c.what);
      CAPTURE(lead);
      const std::vector<Span> spans = lead == 0 ? c.spans : led_by(lead, c.spans);
      SpanStore pushed;
      SpanStore open_pushed;
      for (const Span& s : spans) {
        pushed.push_back(s);
        open_pushed.push_open(open_of(s), s.end);
      }
      REQUIRE(open_pushed.size() == spans.size());
      CHECK(open_pushed.wide_count() == pushed.wide_count());
      CHECK(open_pushed.bytes_used() == pushed.bytes_used());
      for (std::size_t i = 0; i < spans.size(); ++i) {
        CAPTURE(i);
        CHECK(same(open_pushed[i], spans[i]));
      }
      // Taken back and pushed again, it reads as before.
      const Span last = open_pushed.take_back();
      open_pushed.push_open(open_of(last), last.end);
      CHECK(same(open_pushed.back(), spans.back()));
      CHECK(open_pushed.bytes_used() == pushed.bytes_used());
    }
  }
}

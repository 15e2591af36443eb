// SpanStore::Appender, the store's place held in a producer's loop (a stretch's steps in one
// piece, docs/model.md U4): every span it stores reads back as push() stores it, at each
// record's edges, at every place in a group, with the appender begun and ended anywhere.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "sim/trace/span_store.hpp"
#include "tests/span_fixtures.hpp"

using gilsim::Time;
using gilsim::trace::kNone;
using gilsim::trace::kNoStep;
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


struct Case {
  std::string what;
  std::vector<Span> spans;
};

/// Spans at each edge of a record's ranges and just past them (kept whole), after a first
/// span at 1,000 ns.
std::vector<Case> edge_cases() {
  return {
      {"on from the last", {span(1'000, 1'010), span(1'010, 1'020, 1, 1), span(1'020, 1'030, 1, 2)}},
      {"on from the last at the longest reach", {span(1'000, 1'010), span(1'010, 1'000 + kMaxReach)}},
      {"on from the last past the longest reach", {span(1'000, 1'010), span(1'010, 1'001 + kMaxReach)}},
      {"after the longest gap at the longest reach after one",
       {span(1'000, 1'010), span(1'010 + kMaxGap, 1'000 + kMaxReachAfterGap, 2, kNoStep, SpanState::Held)}},
      {"after a gap past the longest", {span(1'000, 1'010), span(1'011 + kMaxGap, 1'020 + kMaxGap)}},
      {"after a gap past the longest reach after one", {span(1'000, 1'010), span(1'011, 1'001 + kMaxReachAfterGap)}},
      {"beginning before the last one ends", {span(1'000, 1'010), span(1'009, 1'020)}},
      {"the largest subject and step", {span(1'000, 1'010), span(1'010, 1'020, kMaxSubject, 0xFFFE)}},
      {"no subject and no step", {span(1'000, 1'010), span(1'020, 1'030, kNone, kNoStep)}},
      {"a subject past the largest", {span(1'000, 1'010), span(1'010, 1'020, kMaxSubject + 1), span(1'020, 1'030)}},
      {"on from one kept whole, and after a gap", {span(1'000, 1'010, kMaxSubject + 1), span(1'010, 1'020), span(1'030, 1'040)}},
  };
}

/// `lead` spans (10 ns each from 0, or none) that fill the group before the case's spans,
/// which are moved on to begin after them.
std::vector<Span> led_by(std::size_t lead, const std::vector<Span>& spans) {
  std::vector<Span> out;
  for (std::size_t i = 0; i < lead; ++i) {
    const auto at = static_cast<std::int64_t>(i) * 10;
    out.push_back(span(at, at + 10, 3, 1, SpanState::WaitingGil));
  }
  const std::int64_t shift = static_cast<std::int64_t>(lead) * 10;
  for (Span s : spans) {
    s.begin = Time{s.begin.ns() + shift};
    s.end = Time{s.end.ns() + shift};
    out.push_back(s);
  }
  return out;
}

}  // namespace

TEST_CASE("an appender stores every span as push() does: each record's edges, at every place in its group") {
  for (const Case& c : edge_cases()) {
    for (const std::size_t lead : {std::size_t{0}, std::size_t{1}, std::size_t{62}, std::size_t{63}, std::size_t{64}, std::size_t{127}}) {
      const std::vector<Span> spans = led_by(lead, c.spans);
      SpanStore pushed;
      for (const Span& s : spans) pushed.push_back(s);
      // The appender begun at span `from` and ended at span `to`: push() before and after.
      for (std::size_t from = 0; from <= spans.size(); from += (from < lead ? 31 : 1)) {
        for (std::size_t to = from; to <= spans.size(); to += (to + 1 < lead ? 29 : 1)) {
          CAPTURE(c.what);
          CAPTURE(lead);
          CAPTURE(from);
          CAPTURE(to);
          SpanStore appended;
          for (std::size_t i = 0; i < from; ++i) appended.push_back(spans[i]);
          {
            SpanStore::Appender out(appended);
            for (std::size_t i = from; i < to; ++i) out.push(spans[i].begin, spans[i].end, spans[i].subject, spans[i].step, spans[i].state);
          }
          for (std::size_t i = to; i < spans.size(); ++i) appended.push_back(spans[i]);
          REQUIRE(appended.size() == spans.size());
          CHECK(appended.wide_count() == pushed.wide_count());
          CHECK(appended.bytes_used() == pushed.bytes_used());
          for (std::size_t i = 0; i < spans.size(); ++i) {
            CAPTURE(i);
            CHECK(same(appended[i], spans[i]));
          }
          // The store's place was put back: a span taken back and pushed again reads as before.
          const Span last = appended.take_back();
          appended.push_back(last);
          CHECK(same(appended.back(), spans.back()));
        }
      }
    }
  }
}

TEST_CASE("appenders one after another on a store, over many groups, read back every span in order") {
  SpanStore pushed;
  SpanStore appended;
  std::vector<Span> spans;
  std::int64_t at = 500;
  for (std::size_t i = 0; i < 1'000; ++i) {
    // Steps of 1 to 7 ns, a gap now and then, two subjects, steps wrapping to kNoStep.
    const std::int64_t gap = i % 17 == 0 ? 3 : 0;
    const std::int64_t length = 1 + static_cast<std::int64_t>(i % 7);
    spans.push_back(span(at + gap, at + gap + length, static_cast<std::uint32_t>(i % 2), static_cast<std::uint16_t>(i % 0x10000),
                         i % 5 == 0 ? SpanState::Held : SpanState::Running));
    at += gap + length;
  }
  for (const Span& s : spans) pushed.push_back(s);
  for (std::size_t i = 0; i < spans.size();) {
    SpanStore::Appender out(appended);
    const std::size_t stop = std::min(spans.size(), i + 1 + i % 97);
    for (; i < stop; ++i) out.push(spans[i].begin, spans[i].end, spans[i].subject, spans[i].step, spans[i].state);
  }
  REQUIRE(appended.size() == spans.size());
  CHECK(appended.bytes_used() == pushed.bytes_used());
  for (std::size_t i = 0; i < spans.size(); ++i) {
    CAPTURE(i);
    CHECK(same(appended[i], spans[i]));
  }
}

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
using gilsim::trace::kNoStep;
using gilsim::trace::Span;
using gilsim::trace::SpanState;
using gilsim::trace::SpanStore;

using gilsim::test::same;
using gilsim::test::span;
using gilsim::test::SpanCase;
using gilsim::test::record_edge_cases;
using gilsim::test::led_by;

TEST_CASE("an appender stores every span as push() does: each record's edges, at every place in its group") {
  for (const SpanCase& c : record_edge_cases()) {
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

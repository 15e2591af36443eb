// SpanStore::Appender's push_next() (a span that begins where the last one ended) and
// push_after_gap() (one after a gap), the records of a stretch's whole statements in one
// piece (docs/model.md U4): every span reads back as push() stores it, at each record's
// edges, at every place in a group, and over many groups with appenders one after another.
#include <doctest/doctest.h>

#include <cstdint>
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

namespace {

/// `s` through the appender as a producer that knows where it begins would push it:
/// push_next() when it begins where the last span ended, push_after_gap() otherwise.
void push_known(SpanStore::Appender& out, const Span& s) {
  if (s.begin.ns() == out.last_end()) {
    out.push_next(s.end, s.subject, s.step, s.state);
  } else {
    out.push_after_gap(s.begin, s.end, s.subject, s.step, s.state);
  }
}

}  // namespace

TEST_CASE("push_next() and push_after_gap() store every span as push() does: each record's edges, at every place in its group") {
  for (const SpanCase& c : record_edge_cases()) {
    for (const std::size_t lead : {std::size_t{0}, std::size_t{1}, std::size_t{62}, std::size_t{63}, std::size_t{64}, std::size_t{127}}) {
      const std::vector<Span> spans = led_by(lead, c.spans);
      SpanStore pushed;
      for (const Span& s : spans) pushed.push_back(s);
      // The appender begun at span `from` (with the store empty, or after push()) and ended
      // at the last span, then a span pushed after it.
      for (std::size_t from = 0; from <= spans.size(); from += (from < lead ? 31 : 1)) {
        CAPTURE(c.what);
        CAPTURE(lead);
        CAPTURE(from);
        SpanStore appended;
        for (std::size_t i = 0; i < from; ++i) appended.push_back(spans[i]);
        {
          SpanStore::Appender out(appended);
          for (std::size_t i = from; i < spans.size(); ++i) push_known(out, spans[i]);
        }
        REQUIRE(appended.size() == spans.size());
        CHECK(appended.wide_count() == pushed.wide_count());
        CHECK(appended.bytes_used() == pushed.bytes_used());
        for (std::size_t i = 0; i < spans.size(); ++i) {
          CAPTURE(i);
          CHECK(same(appended[i], spans[i]));
        }
        // The store's place was put back: a span pushed after the appender reads as pushed.
        const Span after = span(spans.back().end.ns() + 5, spans.back().end.ns() + 9, 4, 7);
        appended.push_back(after);
        CHECK(same(appended.back(), after));
        CHECK(same(appended[appended.size() - 2], spans.back()));
      }
    }
  }
}

TEST_CASE("a thread's spans and a lock's Held spans as a stretch of with statements pushes them, over many groups") {
  // Statement k: its with [at, at + 3), its increment [at + 3, at + 3 + 1..5), the lock Held
  // over the increment; the thread's spans back to back, the lock's after a gap of 3 ns.
  SpanStore thread_pushed, lock_pushed, thread_appended, lock_appended;
  std::vector<Span> thread_spans, lock_spans;
  std::int64_t at = 700;
  for (std::size_t k = 0; k < 1'000; ++k) {
    const std::int64_t held_from = at + 3;
    const std::int64_t released = held_from + 1 + static_cast<std::int64_t>(k % 5);
    thread_spans.push_back(span(at, held_from, 9, static_cast<std::uint16_t>(2 * k)));
    thread_spans.push_back(span(held_from, released, 9, static_cast<std::uint16_t>(2 * k + 1)));
    lock_spans.push_back(span(held_from, released, 4, kNoStep, SpanState::Held));
    at = released;
  }
  for (const Span& s : thread_spans) thread_pushed.push_back(s);
  for (const Span& s : lock_spans) lock_pushed.push_back(s);
  thread_appended.push_back(thread_spans[0]);
  lock_appended.push_back(lock_spans[0]);
  for (std::size_t k = 1; k < lock_spans.size();) {
    SpanStore::Appender thread(thread_appended);
    SpanStore::Appender lock(lock_appended);
    const std::size_t stop = std::min(lock_spans.size(), k + 1 + k % 89);
    for (; k < stop; ++k) {
      thread.push_next(thread_spans[2 * k - 1].end, 9, static_cast<std::uint16_t>(2 * k - 1), SpanState::Running);
      thread.push_next(thread_spans[2 * k].end, 9, static_cast<std::uint16_t>(2 * k), SpanState::Running);
      lock.push_after_gap(lock_spans[k].begin, lock_spans[k].end, 4, kNoStep, SpanState::Held);
    }
  }
  thread_appended.push_back(thread_spans.back());
  REQUIRE(thread_appended.size() == thread_spans.size());
  REQUIRE(lock_appended.size() == lock_spans.size());
  CHECK(thread_appended.bytes_used() == thread_pushed.bytes_used());
  CHECK(lock_appended.bytes_used() == lock_pushed.bytes_used());
  for (std::size_t i = 0; i < thread_spans.size(); ++i) {
    CAPTURE(i);
    CHECK(same(thread_appended[i], thread_spans[i]));
  }
  for (std::size_t i = 0; i < lock_spans.size(); ++i) {
    CAPTURE(i);
    CHECK(same(lock_appended[i], lock_spans[i]));
  }
}

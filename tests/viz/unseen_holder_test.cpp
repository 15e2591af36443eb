// Where a CPython recording's inferred GIL had no holder seen while threads waited for it.
#include <doctest/doctest.h>

#include <vector>

#include "viz/unseen_holder.hpp"

using namespace gilsim;
using gilsim::trace::Span;
using gilsim::trace::SpanState;

namespace {

Span held(std::int64_t b, std::int64_t e, std::uint32_t who) { return Span{Time{b}, Time{e}, who, trace::kNoStep, SpanState::Held}; }
Span waiters(std::int64_t b, std::int64_t e, std::uint32_t n) { return Span{Time{b}, Time{e}, n, trace::kNoStep, SpanState::WaitingGil}; }

std::vector<Span> spans_of(const trace::SpanStore& store) { return {store.begin(), store.end()}; }

}  // namespace

TEST_CASE("the stretches where threads wait and no holder was seen, joined, with the most waiters") {
  // T1 holds 0-100, nobody 100-160 (a hand-off to a thread without a core, or T1 taken off its
  // core: the recording cannot tell), T2 holds 160-300; one thread waits 50-120, two 120-200.
  const trace::SpanStore gil{held(0, 100, 1), held(160, 300, 2)};
  const trace::SpanStore wait{waiters(50, 120, 1), waiters(120, 200, 2)};
  const auto unseen = spans_of(viz::unseen_holder(gil, wait, Time{0}, Time{1000}));
  REQUIRE(unseen.size() == 1);
  CHECK(unseen[0].begin == Time{100});
  CHECK(unseen[0].end == Time{160});
  CHECK(unseen[0].subject == 2u);
  // Only what lies in view, cut there.
  const auto part = spans_of(viz::unseen_holder(gil, wait, Time{130}, Time{150}));
  REQUIRE(part.size() == 1);
  CHECK(part[0].begin == Time{130});
  CHECK(part[0].end == Time{150});
  CHECK(viz::unseen_holder(gil, wait, Time{170}, Time{1000}).size() == 0);
}

TEST_CASE("a free GIL with nobody waiting is no unseen holder; a wait past the last holder is") {
  const trace::SpanStore gil{held(0, 100, 1), held(200, 300, 1)};
  const trace::SpanStore wait{waiters(250, 400, 1)};
  const auto unseen = spans_of(viz::unseen_holder(gil, wait, Time{0}, Time{1000}));
  REQUIRE(unseen.size() == 1);  // 100-200 was free with nobody waiting: no mark
  CHECK(unseen[0].begin == Time{300});
  CHECK(unseen[0].end == Time{400});
  CHECK(unseen[0].subject == 1u);
}

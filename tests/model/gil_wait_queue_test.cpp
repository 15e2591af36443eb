// The new GIL's drop-request deadline, computed from waiters' phases (G2).
#include <doctest/doctest.h>

#include "sim/model/gil_wait_queue.hpp"

#include <optional>
#include <utility>
#include <vector>

using namespace gilsim;
using namespace gilsim::literals;
using gilsim::model::GilWaitQueue;

TEST_CASE("a waiter that arrived after the last switch asks one interval after it arrived") {
  GilWaitQueue q(5_ms);
  q.on_switch(0_ms);
  q.arm(7, 2_ms);
  const auto due = q.next_drop_request();
  REQUIRE(due);
  CHECK(due->at == 7_ms);
  CHECK(due->thread == 7);
}

TEST_CASE("a switch during a waiter's interval costs it a second interval") {
  // CPython saves switch_number at each timed wait; a wait that saw a switch sets no request.
  GilWaitQueue q(5_ms);
  q.arm(2, 1_ms);     // waits 1..6, 6..11, ...
  q.on_switch(3_ms);  // the holder changed inside 1..6
  const auto due = q.next_drop_request();
  REQUIRE(due);
  CHECK(due->at == 11_ms);
}

TEST_CASE("the first waiter whose own grid reaches a full quiet interval makes the request") {
  GilWaitQueue q(5_ms);
  q.arm(1, 0_ms);    // grid 0, 5, 10, 15
  q.arm(2, 4_ms);    // grid 4, 9, 14
  q.arm(3, 2_ms);    // grid 2, 7, 12
  q.on_switch(8_ms);
  // First grid points at or after 8: T1 10, T2 9, T3 12 -> T2's interval 9..14 is quiet.
  auto due = q.next_drop_request();
  REQUIRE(due);
  CHECK(due->thread == 2);
  CHECK(due->at == 14_ms);
  q.remove(2);
  due = q.next_drop_request();
  CHECK(due->thread == 1);
  CHECK(due->at == 15_ms);
}

TEST_CASE("re-arming after a lost race restarts the interval") {
  GilWaitQueue q(5_ms);
  q.arm(1, 0_ms);
  q.on_switch(1_ms);
  q.arm(1, 3_ms);  // signalled, lost the race, waits a fresh interval
  const auto due = q.next_drop_request();
  CHECK(due->at == 8_ms);
  CHECK(q.size() == 1);
}

TEST_CASE("no waiters, no request") {
  GilWaitQueue q(5_ms);
  CHECK_FALSE(q.next_drop_request());
  q.arm(1, 0_ms);
  q.remove(1);
  CHECK(q.empty());
  CHECK_FALSE(q.next_drop_request());
}

namespace {

/// A reference computed from the rule itself, over a long run of arms, removals and
/// switches: a waiter armed by the last switch asks at its first grid point after the
/// switch plus one interval (the earliest wins, ties to the lowest thread id); one armed
/// since asks one interval after it armed, and wins only if strictly earlier (ties to the
/// first armed; armed again at the same instant, it keeps its place). Time moves on by a
/// random number of `tick`s, below `ticks`, between steps; of `weights` steps, one is a
/// switch, the rest arms and removals half and half.
void check_against_definition(Time tick, std::uint64_t ticks, std::uint64_t weights = 3, std::uint64_t seed = 12345) {
  const Time I = 5_ms;
  GilWaitQueue q(I);
  std::vector<std::optional<Time>> armed(300);  // by thread, while waiting
  std::vector<bool> before_switch(300, false);
  std::vector<std::pair<std::uint32_t, Time>> arm_order;  // armed since the last switch, in order
  Time now = 0_ms, last_switch = Time{-1};
  std::uint64_t x = seed;
  auto next = [&x](std::uint64_t n) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    return (x >> 33) % n;
  };
  for (int round = 0; round < 4000; ++round) {
    now += tick * static_cast<std::int64_t>(next(ticks));
    const auto t = static_cast<std::uint32_t>(next(300));
    const auto roll = next(weights);
    const auto what = roll + 1 == weights ? 2 : roll % 2;
    if (what == 0) {
      q.arm(t, now);
      armed[t] = now;
      before_switch[t] = false;
      arm_order.emplace_back(t, now);
    } else if (what == 1 && armed[t]) {
      q.remove(t);
      armed[t].reset();
    } else {
      q.on_switch(now);
      last_switch = now;
      for (std::size_t i = 0; i < armed.size(); ++i) before_switch[i] = armed[i].has_value();
      arm_order.clear();
    }
    std::optional<GilWaitQueue::Due> expected;
    const std::int64_t s = last_switch.ns(), n = I.ns(), r = ((s % n) + n) % n;
    for (std::uint32_t i = 0; i < armed.size(); ++i) {
      if (!armed[i] || !before_switch[i]) continue;
      const std::int64_t offset = ((armed[i]->ns() % n) - r + n) % n;
      const Time due{s + offset + n};
      if (!expected || due < expected->at) expected = GilWaitQueue::Due{due, i};
    }
    for (const auto& [i, at] : arm_order) {
      if (armed[i] != at || before_switch[i]) continue;  // removed or re-armed since
      const Time due = at + I;
      if (!expected || due < expected->at) expected = GilWaitQueue::Due{due, i};
      break;
    }
    const auto got = q.next_drop_request();
    REQUIRE(got.has_value() == expected.has_value());
    if (got) {
      CHECK(got->at == expected->at);
      CHECK(got->thread == expected->thread);
    }
  }
}

}  // namespace

TEST_CASE("many waiters: the request comes from the waiter the definition of G2 names") {
  check_against_definition(Time{1}, 900'000);  // phases almost never repeat
}

TEST_CASE("many waiters on a few shared phases: the lowest id of the first phase asks") {
  // Arms on a 250 us grid: 20 phases of a 5 ms interval, each shared by many waiters,
  // emptied by removals and filled again.
  check_against_definition(250_us, 8);
}

TEST_CASE("rare switches: waiters armed an interval or more after the switch are due after all others") {
  // One step in 40 a switch, 450 us a step on average: most switches are 18 ms apart, and
  // many waiters arm more than the 5 ms interval after the last one.
  for (std::uint64_t seed = 1; seed <= 8; ++seed) check_against_definition(Time{1}, 900'000, 40, seed);
}

TEST_CASE("rare switches on shared phases, many arms at one instant") {
  // Steps of 0 to 3 ms on a 1 ms grid, one in 25 a switch: ties between waiters armed before
  // and since the switch, and waiters armed again at the instant they armed.
  for (std::uint64_t seed = 1; seed <= 8; ++seed) check_against_definition(1_ms, 4, 25, seed);
  for (std::uint64_t seed = 1; seed <= 8; ++seed) check_against_definition(250_us, 3, 6, seed);
}

TEST_CASE("a waiter armed a whole interval after the switch asks an interval after it armed, after every other") {
  GilWaitQueue q(5_ms);
  q.on_switch(0_ms);
  q.arm(4, 6_ms);  // 6 ms after the switch: its interval 6..11
  REQUIRE(q.next_drop_request());
  CHECK(q.next_drop_request()->at == 11_ms);
  CHECK(q.next_drop_request()->thread == 4);
  q.arm(3, 7_ms);  // later still
  CHECK(q.next_drop_request()->thread == 4);
  q.remove(4);
  CHECK(q.next_drop_request()->at == 12_ms);
  CHECK(q.next_drop_request()->thread == 3);
  q.on_switch(8_ms);  // T3's grid 7, 12, 17: first full quiet interval 12..17
  CHECK(q.next_drop_request()->at == 17_ms);
  CHECK(q.next_drop_request()->thread == 3);
}

TEST_CASE("one phase, armed before and since the switch: the one armed before asks, whatever the ids") {
  GilWaitQueue q(5_ms);
  q.arm(9, 1_ms);     // grid 1, 6, 11
  q.on_switch(3_ms);  // first grid point at or after the switch: 6 ms
  q.arm(2, 6_ms);     // armed since, due 11 ms too
  q.arm(1, 6_ms);
  CHECK(q.next_drop_request()->at == 11_ms);
  CHECK(q.next_drop_request()->thread == 9);
  q.remove(9);  // of the two armed since, the first armed
  CHECK(q.next_drop_request()->at == 11_ms);
  CHECK(q.next_drop_request()->thread == 2);
  q.arm(2, 6_ms);  // armed again at the same instant: it keeps its place
  CHECK(q.next_drop_request()->thread == 2);
  q.on_switch(6_ms);  // now both were armed at or before the switch: the lowest id
  CHECK(q.next_drop_request()->at == 11_ms);
  CHECK(q.next_drop_request()->thread == 1);
}

TEST_CASE("the answer is remembered until a waiter or the switch changes, and every change is seen") {
  GilWaitQueue q(5_ms);
  q.on_switch(0_ms);
  q.arm(1, 3_ms);
  REQUIRE(q.next_drop_request());
  CHECK(q.next_drop_request()->at == 8_ms);
  CHECK(q.next_drop_request()->thread == 1);  // asked again: same answer
  q.arm(2, 4_ms);                              // a later arrival does not change it
  CHECK(q.next_drop_request()->thread == 1);
  q.remove(1);  // T2's first interval 4..9
  CHECK(q.next_drop_request()->thread == 2);
  CHECK(q.next_drop_request()->at == 9_ms);
  q.on_switch(6_ms);  // T2's grid 4, 9, 14: first full quiet interval 9..14
  CHECK(q.next_drop_request()->at == 14_ms);
  q.remove(2);
  CHECK(!q.next_drop_request());
}

TEST_CASE("phases at both ends of the interval: the first at or after the switch's, wrapping round to the first") {
  // Interval 5 ms; phases 1 ns and 4.999999 ms lie in the first and the last of the
  // buckets the phases are kept in.
  GilWaitQueue q(5_ms);
  q.arm(1, Time{1});
  q.arm(2, Time{4'999'999});
  q.on_switch(Time{4'999'999});  // switch phase 4.999999 ms: T2's grid point is the switch itself
  REQUIRE(q.next_drop_request());
  CHECK(q.next_drop_request()->at == Time{9'999'999});
  CHECK(q.next_drop_request()->thread == 2);
  q.on_switch(5_ms);  // switch phase 0: T1's grid point 1 ns later comes first
  CHECK(q.next_drop_request()->at == Time{10'000'001});
  CHECK(q.next_drop_request()->thread == 1);
  q.remove(1);  // only the last phase is left
  CHECK(q.next_drop_request()->at == Time{14'999'999});
  CHECK(q.next_drop_request()->thread == 2);
  q.remove(2);
  q.arm(3, Time{5'000'001});      // phase 1 ns again
  q.on_switch(Time{5'000'003});   // switch phase 3 ns: no phase at or after it, so round to 1 ns
  CHECK(q.next_drop_request()->at == Time{15'000'001});
  CHECK(q.next_drop_request()->thread == 3);
}

TEST_CASE("waiters arriving out of phase order into one bucket leave it in phase order, ties to the lowest id") {
  // Interval 5 ms: phases 300, 300, 600 and 1000 ns share the first bucket (8,192 ns wide),
  // armed from the highest phase down.
  GilWaitQueue q(5_ms);
  q.arm(1, Time{1'000});
  q.arm(2, 5_ms + Time{600});
  q.arm(9, 10_ms + Time{300});
  q.arm(4, 15_ms + Time{300});
  q.on_switch(20_ms);  // switch phase 0
  const std::vector<std::pair<std::uint32_t, Time>> expected = {
      {4, 25_ms + Time{300}}, {9, 25_ms + Time{300}}, {2, 25_ms + Time{600}}, {1, 25_ms + Time{1'000}}};
  for (const auto& [thread, at] : expected) {
    const auto due = q.next_drop_request();
    REQUIRE(due);
    CHECK(due->thread == thread);
    CHECK(due->at == at);
    q.remove(thread);
  }
  CHECK(q.empty());
  CHECK_FALSE(q.next_drop_request());
}

TEST_CASE("arm() says whether the first due waiter may have changed") {
  // The engine leaves the GIL's drop deadline alone after an arrival that is not due first.
  GilWaitQueue q(5_ms);
  q.on_switch(0_ms);
  CHECK(q.arm(1, 1_ms));  // nothing asked yet: the answer is not known
  REQUIRE(q.next_drop_request()->thread == 1);  // due at 6
  CHECK_FALSE(q.arm(2, 2_ms));  // due at 7: thread 1 stays first
  CHECK(q.next_drop_request()->thread == 1);
  q.remove(1);  // the first due leaves: the answer is looked for again
  CHECK(q.arm(3, 3_ms));
  CHECK(q.next_drop_request()->thread == 2);
  CHECK_FALSE(q.arm(4, 2_ms));  // due at 7 as thread 2: a tie goes to the one already there (G2)
  CHECK(q.next_drop_request()->thread == 2);
  q.on_switch(4_ms);  // a switch restarts every interval
  CHECK(q.arm(5, 4_ms));
  const auto due = q.next_drop_request();  // the first grid point at or after 4 is thread 5's own
  REQUIRE(due);
  CHECK(due->thread == 5);
  CHECK(due->at == 9_ms);
}

// The indexed timer heap: one pending entry per owner, moved or removed in place, ties by
// the order of set().
#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "sim/model/timer_heap.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using gilsim::model::TimerHeap;

namespace {
std::vector<TimerHeap::Slot> drain(TimerHeap& h) {
  std::vector<TimerHeap::Slot> order;
  while (!h.empty()) order.push_back(h.pop());
  return order;
}

/// A heap with three owners, a, b and c, set in that order at the given times.
struct ThreeTimers {
  TimerHeap h;
  TimerHeap::Slot a = h.add_slot(), b = h.add_slot(), c = h.add_slot();
  ThreeTimers(Time at_a, Time at_b, Time at_c) {
    h.set(a, at_a);
    h.set(b, at_b);
    h.set(c, at_c);
  }
};
}  // namespace

TEST_CASE("timers fire in time order, one entry per owner") {
  auto [h, a, b, c] = ThreeTimers(30_ms, 10_ms, 20_ms);
  CHECK(h.size() == 3);
  CHECK(h.top_time() == 10_ms);
  CHECK(drain(h) == std::vector<TimerHeap::Slot>{b, c, a});
  CHECK(!h.pending(a));
}

TEST_CASE("timers at the same instant fire in the order they were set") {
  auto [h, a, b, c] = ThreeTimers(5_ms, 5_ms, 5_ms);
  CHECK(drain(h) == std::vector<TimerHeap::Slot>{a, b, c});
  h.set(c, 6_ms);
  h.set(a, 6_ms);
  h.set(b, 6_ms);
  CHECK(drain(h) == std::vector<TimerHeap::Slot>{c, a, b});
}

TEST_CASE("setting a pending timer again moves it: earlier or later, never a second entry") {
  auto [h, a, b, c] = ThreeTimers(10_ms, 20_ms, 30_ms);
  h.set(c, 5_ms);  // earlier
  CHECK(h.size() == 3);
  CHECK(h.when(c) == 5_ms);
  h.set(a, 40_ms);  // later
  CHECK(h.size() == 3);
  CHECK(drain(h) == std::vector<TimerHeap::Slot>{c, b, a});
}

TEST_CASE("a moved timer ties as if it were set anew") {
  TimerHeap h;
  const auto a = h.add_slot(), b = h.add_slot();
  h.set(a, 7_ms);
  h.set(b, 7_ms);
  h.set(a, 7_ms);  // same instant, set after b: now fires after b
  CHECK(drain(h) == std::vector<TimerHeap::Slot>{b, a});
}

TEST_CASE("a cancelled timer is gone; cancelling an idle slot does nothing") {
  TimerHeap h;
  const auto a = h.add_slot(), b = h.add_slot(), c = h.add_slot(), d = h.add_slot();
  h.set(a, 1_ms);
  h.set(b, 2_ms);
  h.set(c, 3_ms);
  h.set(d, 4_ms);
  h.cancel(a);  // the root
  h.cancel(c);  // an inner entry
  h.cancel(c);
  CHECK(!h.pending(a));
  CHECK(h.pending(b));
  CHECK(h.size() == 2);
  CHECK(drain(h) == std::vector<TimerHeap::Slot>{b, d});
}

TEST_CASE("set_late() leaves a new timer as the last leaf unless it is before that leaf's parent") {
  TimerHeap h;
  std::vector<TimerHeap::Slot> s;
  for (int i = 0; i < 9; ++i) s.push_back(h.add_slot());
  h.set_late(s[0], 1_ms);  // into the empty heap
  h.set_late(s[1], 10_ms);  // the root's children: each lands after its parent, the root
  h.set_late(s[2], 20_ms);
  h.set_late(s[3], 30_ms);
  h.set_late(s[4], 40_ms);
  h.set_late(s[5], 5_ms);   // its parent is s[1] at 10 ms, not the root: it goes up, past s[1] only
  h.set_late(s[6], 15_ms);  // its parent is now s[5] at 5 ms: it stays a leaf
  h.set_late(s[7], 15_ms);  // a tie with s[6]: set later, fires later
  h.set_late(s[8], 2_ms);
  h.set_late(s[8], 50_ms);  // pending: moved as set() moves it
  CHECK(h.when(s[5]) == 5_ms);
  CHECK(drain(h) == std::vector<TimerHeap::Slot>{s[0], s[5], s[1], s[6], s[7], s[2], s[3], s[4], s[8]});
}

TEST_CASE("set_late() moves a pending leaf where it stands unless it is then before its parent") {
  TimerHeap h;
  const TimerHeap::Slot p = h.add_slot();
  std::vector<TimerHeap::Slot> s;
  for (int i = 0; i < 4; ++i) s.push_back(h.add_slot());
  h.park(p, 100_ms);  // the place beside the heap taken: every set() below goes into the heap
  h.set(s[0], 10_ms);
  h.set_late(s[0], 4_ms);  // the root, a leaf: moved earlier where it stands
  CHECK(h.when(s[0]) == 4_ms);
  h.set(s[1], 20_ms);  // the root's children
  h.set(s[2], 30_ms);
  h.set_late(s[2], 25_ms);  // a leaf still after its parent: where it stands
  h.set_late(s[1], 2_ms);   // a leaf now before its parent, the root: it goes up
  CHECK(h.top_slot() == s[1]);
  h.set(s[3], 25_ms);       // a tie with s[2], set later: fires after it
  h.set_late(s[0], 50_ms);  // a leaf again (the root's child), moved later where it stands
  CHECK(h.when(s[0]) == 50_ms);
  CHECK(drain(h) == std::vector<TimerHeap::Slot>{s[1], s[2], s[3], s[0], p});
}

TEST_CASE("many moves and cancels keep the heap ordered") {
  TimerHeap h;
  std::vector<TimerHeap::Slot> s;
  for (int i = 0; i < 64; ++i) s.push_back(h.add_slot());
  // Set every slot, then move each to a mirrored time and cancel every third one.
  for (int i = 0; i < 64; ++i) h.set(s[i], Time{1000 + i * 10});
  for (int i = 0; i < 64; ++i) h.set(s[i], Time{2000 - i * 10});
  for (int i = 0; i < 64; i += 3) h.cancel(s[i]);
  Time last = Time::zero();
  std::size_t fired = 0;
  while (!h.empty()) {
    const Time at = h.top_time();
    const auto slot = h.pop();
    CHECK(at >= last);
    CHECK(slot % 3 != 0);
    CHECK(at == Time{2000 - static_cast<std::int64_t>(slot) * 10});
    last = at;
    ++fired;
  }
  CHECK(fired == 42);
}

TEST_CASE("a parked timer fires when and in the order set() would have it") {
  TimerHeap h;
  const auto a = h.add_slot(), b = h.add_slot(), c = h.add_slot();
  SUBCASE("before the heap's entries, and after them") {
    h.set(a, 5_ms);
    h.park(b, 3_ms);
    CHECK(h.size() == 2);
    CHECK(h.pending(b));
    CHECK(h.when(b) == 3_ms);
    CHECK(h.top_slot() == b);
    CHECK(drain(h) == std::vector<TimerHeap::Slot>{b, a});
    h.park(b, 9_ms);
    h.set(a, 5_ms);
    CHECK(h.top_time() == 5_ms);
    CHECK(drain(h) == std::vector<TimerHeap::Slot>{a, b});
  }
  SUBCASE("a tie goes to the entry set first, parked or not") {
    h.set(a, 5_ms);
    h.park(b, 5_ms);
    h.set(c, 5_ms);
    CHECK(drain(h) == std::vector<TimerHeap::Slot>{a, b, c});
  }
  SUBCASE("cancelled beside the heap, it never fires") {
    h.set(a, 5_ms);
    h.park(b, 1_ms);
    h.cancel(b);
    CHECK(!h.pending(b));
    CHECK(h.size() == 1);
    CHECK(drain(h) == std::vector<TimerHeap::Slot>{a});
    h.park(b, 1_ms);
    CHECK(drain(h) == std::vector<TimerHeap::Slot>{b});
    CHECK(h.empty());
  }
  SUBCASE("parking a second timer moves the first into the heap, in its own place") {
    h.park(a, 4_ms);
    h.set(c, 4_ms);
    h.park(b, 2_ms);
    CHECK(h.size() == 3);
    CHECK(h.when(a) == 4_ms);
    CHECK(drain(h) == std::vector<TimerHeap::Slot>{b, a, c});
  }
  SUBCASE("set() or park() of a pending timer moves it, as if new") {
    h.park(a, 4_ms);
    h.set(b, 4_ms);
    h.set(a, 4_ms);  // from beside the heap into it, after b
    CHECK(drain(h) == std::vector<TimerHeap::Slot>{b, a});
    h.set(a, 4_ms);
    h.set(b, 4_ms);
    h.park(a, 4_ms);  // pending in the heap: moved there, after b
    CHECK(h.size() == 2);
    CHECK(drain(h) == std::vector<TimerHeap::Slot>{b, a});
  }
}

TEST_CASE("a set() that finds the place beside the heap free waits there, in order") {
  TimerHeap h;
  const auto a = h.add_slot(), b = h.add_slot(), c = h.add_slot();
  SUBCASE("before and after the heap's entries, ties by order of setting") {
    h.set(a, 5_ms);  // into the empty heap
    h.set(b, 3_ms);  // beside it
    h.set(c, 4_ms);  // into the heap: the place beside is taken
    CHECK(h.size() == 3);
    CHECK(h.when(b) == 3_ms);
    CHECK(drain(h) == std::vector<TimerHeap::Slot>{b, c, a});
    h.set(a, 5_ms);
    h.set(b, 5_ms);
    h.set(c, 5_ms);
    CHECK(drain(h) == std::vector<TimerHeap::Slot>{a, b, c});
  }
  SUBCASE("a park() moves it into the heap; cancelled or moved, it leaves its place") {
    h.set(a, 5_ms);
    h.set(b, 3_ms);
    h.park(c, 1_ms);  // b into the heap, c beside it
    CHECK(h.size() == 3);
    CHECK(drain(h) == std::vector<TimerHeap::Slot>{c, b, a});
    h.set(a, 5_ms);
    h.set(b, 3_ms);
    h.cancel(b);
    CHECK(!h.pending(b));
    h.set(c, 4_ms);  // beside the heap again
    h.set(c, 6_ms);  // moved: into the heap, after a
    CHECK(drain(h) == std::vector<TimerHeap::Slot>{a, c});
  }
}

namespace {
/// Random sets (parks, when `park` says; set_late() for some), moves, cancels and pops, checked against a map of
/// every pending entry ordered by (time, sequence), over `owners` timer owners. Returns how
/// many set()s found nothing pending at all (the heap's shortcut for an empty heap).
int check_random_operations(bool park, int owners = 40, bool fixed = false) {
  TimerHeap h;
  std::vector<TimerHeap::Slot> slots;
  for (int i = 0; i < owners; ++i) slots.push_back(h.add_slot());
  if (fixed) h.fix(slots[0]);  // its own place beside the heap: set by set_late() only
  int sets_when_empty = 0;
  std::map<std::pair<std::int64_t, std::uint64_t>, TimerHeap::Slot> expected;
  std::vector<std::optional<std::pair<std::int64_t, std::uint64_t>>> key_of(slots.size());
  std::uint64_t seq = 0;
  std::uint64_t state = 12345;
  auto next = [&state](std::uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % n;
  };
  std::int64_t now = 0;
  for (int step = 0; step < 20000; ++step) {
    const auto s = slots[next(slots.size())];
    const auto op = next(10);
    if (op < 6) {  // set or move, often before everything pending
      const std::int64_t at = now + static_cast<std::int64_t>(next(op < 3 ? 4 : 200));
      if (key_of[s]) expected.erase(*key_of[s]);
      key_of[s] = std::pair{at, seq++};
      expected[*key_of[s]] = s;
      if (fixed && s == slots[0]) {
        if (h.empty()) ++sets_when_empty;
        h.set_late(s, Time{at});
      } else if (park && op % 2 == 0) {
        h.park(s, Time{at});
      } else {
        if (h.empty()) ++sets_when_empty;
        if (op == 5) {
          h.set_late(s, Time{at});
        } else {
          h.set(s, Time{at});
        }
      }
    } else if (op < 8) {
      if (key_of[s]) expected.erase(*key_of[s]);
      key_of[s].reset();
      h.cancel(s);
    } else if (!expected.empty()) {
      const auto first = expected.begin();
      REQUIRE(h.top_time() == Time{first->first.first});
      REQUIRE(h.top_slot() == first->second);
      if (step % 3 == 0) {
        REQUIRE(h.pop() == first->second);
      } else {
        Time at;
        REQUIRE((step % 3 == 1 ? h.pop(at) : h.pop_if_any(at)) == first->second);
        REQUIRE(at == Time{first->first.first});
      }
      now = first->first.first;
      key_of[first->second].reset();
      expected.erase(first);
    } else {
      Time at;
      REQUIRE(h.pop_if_any(at) == TimerHeap::kNoSlot);
    }
    REQUIRE(h.size() == expected.size());
    for (const auto slot : slots) {
      REQUIRE(h.pending(slot) == key_of[slot].has_value());
      if (key_of[slot]) REQUIRE(h.when(slot) == Time{key_of[slot]->first});
    }
  }
  return sets_when_empty;
}
}  // namespace

TEST_CASE("random sets, moves, cancels and pops fire in (time, order of setting) as a sorted list says") {
  SUBCASE("every timer in the heap") { check_random_operations(false); }
  SUBCASE("half of the timers set parked beside it") { check_random_operations(true); }
  SUBCASE("three owners: the heap is often empty when a timer is set, a parked one beside it or not") {
    CHECK(check_random_operations(false, 3) > 1000);
    CHECK(check_random_operations(true, 3) > 500);
  }
  SUBCASE("one owner with its own place beside the heap (fix()), the others in it or parked") {
    check_random_operations(false, 40, true);
    check_random_operations(true, 40, true);
    CHECK(check_random_operations(false, 3, true) > 1000);
    CHECK(check_random_operations(true, 3, true) > 500);
  }
}

TEST_CASE("a fixed slot's timer fires in (time, order of setting) among the heap's and the parked one") {
  TimerHeap h;
  const auto deadline = h.add_slot(), a = h.add_slot(), b = h.add_slot();
  h.fix(deadline);
  h.set(a, 10_ns);
  h.set_late(deadline, 10_ns);  // ties after a, set before it
  h.park(b, 10_ns);             // and before b, set after it
  CHECK(h.size() == 3);
  CHECK(h.when(deadline) == 10_ns);
  CHECK(drain(h) == std::vector<TimerHeap::Slot>{a, deadline, b});
  h.set_late(deadline, 5_ns);
  h.set_late(deadline, 7_ns);  // moved: one entry, a new place in the ties
  h.set(a, 7_ns);
  CHECK(h.size() == 2);
  CHECK(h.top_slot() == deadline);
  Time at;
  CHECK(h.pop(at) == deadline);
  CHECK(at == 7_ns);
  h.set_late(deadline, 9_ns);
  h.cancel(deadline);
  CHECK_FALSE(h.pending(deadline));
  CHECK(drain(h) == std::vector<TimerHeap::Slot>{a});
  CHECK(h.empty());
}

// One interpreter's GIL as a resource: taking, dropping, signalling and switch waiters.
#include <doctest/doctest.h>

#include <vector>

#include "sim/model/gil.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using gilsim::model::Gil;
using gilsim::model::Random;

TEST_CASE("a new holder is a switch; the same holder again is not (G3)") {
  Gil gil(0, 0, 5_ms);
  auto taken = gil.take(1, 0_ms);
  CHECK(taken.switched);
  CHECK(taken.previous == Gil::kNobody);
  CHECK(gil.locked);
  CHECK(gil.holder == 1);
  gil.drop(1);
  CHECK(!gil.locked);
  CHECK(gil.holder == Gil::kNobody);
  taken = gil.take(1, 2_ms);  // re-taken by the thread that dropped it: no switch
  CHECK(!taken.switched);
  gil.drop(1);
  gil.forced_drop = true;
  taken = gil.take(2, 3_ms);
  CHECK(taken.switched);
  CHECK(taken.previous == 1);
  CHECK(taken.after_forced_drop);
  CHECK(!gil.forced_drop);
  CHECK(gil.held_since == 3_ms);
}

TEST_CASE("taking the GIL consumes a pending drop request") {
  Gil gil(0, 0, 5_ms);
  gil.take(1, 0_ms);
  gil.drop_request = true;
  gil.drop(1);
  gil.take(2, 1_ms);
  CHECK(!gil.drop_request);
}

TEST_CASE("a drop request falls due only while the GIL is held, none is pending, and someone waits (G2)") {
  Gil gil(0, 0, 5_ms);
  gil.waiters.arm(2, 1_ms);
  CHECK(!gil.next_due());  // not held
  gil.take(1, 0_ms);
  gil.waiters.arm(2, 1_ms);  // armed after the switch at 0: asks one interval later
  const auto due = gil.next_due();
  REQUIRE(due);
  CHECK(due->at == 6_ms);
  CHECK(due->thread == 2);
  gil.drop_request = true;
  CHECK(!gil.next_due());  // already asked
}

TEST_CASE("a signal wakes one waiter, drawn from the generator, and removes it (G6, G8)") {
  Gil gil(0, 0, 5_ms);
  Random none(7), untouched(7);
  CHECK(gil.signal_one(none) == Gil::kNobody);
  CHECK(none.unit() == untouched.unit());  // nobody waits: nothing was drawn
  for (std::uint32_t t = 10; t < 14; ++t) gil.waiters.arm(t, 0_ms);
  Random random(9), reference(9);
  const auto woken = gil.signal_one(random);
  CHECK(woken == 10 + reference.below(4));  // one draw over the waiters in arrival order
  CHECK(gil.waiters.size() == 3);
  CHECK(!gil.waiters.contains(woken));
}

TEST_CASE("after a switch the droppers go on in order; the taker, if it was one, keeps waiting (G6)") {
  Gil gil(0, 0, 5_ms);
  gil.wait_for_switch(3);
  gil.wait_for_switch(5);
  gil.wait_for_switch(4);
  std::vector<std::uint32_t> released{99};  // cleared first
  gil.release_switch_waiters(5, released);
  CHECK(released == std::vector<std::uint32_t>{3, 4});
  CHECK(gil.switch_waiters == std::vector<std::uint32_t>{5});
  gil.release_switch_waiters(7, released);
  CHECK(released == std::vector<std::uint32_t>{5});
  CHECK(gil.switch_waiters.empty());
}

TEST_CASE("one dropper waiting for a switch goes on, unless it took the GIL itself (G6)") {
  Gil gil(0, 0, 5_ms);
  std::vector<std::uint32_t> released{99};
  gil.wait_for_switch(3);
  gil.release_switch_waiters(3, released);  // it took the GIL back: no switch yet
  CHECK(released.empty());
  CHECK(gil.switch_waiters == std::vector<std::uint32_t>{3});
  gil.release_switch_waiters(8, released);
  CHECK(released == std::vector<std::uint32_t>{3});
  CHECK(gil.switch_waiters.empty());
  gil.wait_for_switch(6);  // the emptied list takes the next dropper
  gil.release_switch_waiters(8, released);
  CHECK(released == std::vector<std::uint32_t>{6});
  CHECK(gil.switch_waiters.empty());
}

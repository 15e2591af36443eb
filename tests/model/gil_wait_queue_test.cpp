// The new GIL's drop-request deadline, computed from waiters' phases (G2).
#include <doctest/doctest.h>

#include "sim/model/gil_wait_queue.hpp"

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

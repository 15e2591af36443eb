// The GIL's timed wait is late by the kernel's timer slack (docs/model.md, G2a): a
// waiter asks for the GIL interval + slack after it began to wait, so a contended
// tenure is a little longer than the switch interval.
#include <doctest/doctest.h>

#include "model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::test;
using trace::MarkKind;

TEST_CASE("a contended tenure lasts the switch interval plus the timer slack") {
  // Hand timeline, 2 cores, other costs zero, slack 50 us, two 12 ms CPU jobs:
  //   T1 0-5.05 (T2's timed wait, armed at 0, fires at 5 ms + 50 us), T2 5.05-10.10,
  //   T1 10.10-15.15, T2 15.15-20.20; T1 then needs 1.90 ms more: 20.20-22.10, and T2
  //   the same after it: 22.10-24.00. The work is conserved; only the turns are longer.
  auto s = exact_scenario(2);
  s.costs.timer_slack = 50_us;
  add_jobs(s, "a", 1, {cpu(12_ms)});
  add_jobs(s, "b", 1, {cpu(12_ms)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  check_holders(holders(t, "GIL"), {
                                       {0_ms, 5'050_us, "T1"},
                                       {5'050_us, 10'100_us, "T2"},
                                       {10'100_us, 15'150_us, "T1"},
                                       {15'150_us, 20'200_us, "T2"},
                                       {20'200_us, 22'100_us, "T1"},
                                       {22'100_us, 24_ms, "T2"},
                                   });
  const auto requests = marks_of(t, MarkKind::DropRequest);
  REQUIRE(requests.size() == 4);
  for (const auto& r : requests) CHECK(Time{r->value} == 5'050_us);  // each waited interval + slack
  CHECK(t.end == 24_ms);
}

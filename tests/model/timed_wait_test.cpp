// The GIL's timed wait is late by the kernel's timer slack (docs/model.md, G2a): a
// waiter asks for the GIL interval + slack after it began to wait, so a contended
// tenure is a little longer than the switch interval; and the waiter runs after the timer's
// own wake-up.
#include <doctest/doctest.h>

#include "model_fixtures.hpp"
#include "sim/scenario/effective_settings.hpp"

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

TEST_CASE("the timed wait wakes by its own law, not by a signalled waiter's (G2a, G8)") {
  // Hand timeline, 2 cores, slack 50 us, interval 3.95 ms, so each timed wait idles its core
  // 4 ms. The timer's law: 20 us, plus 10 us per doubling past 1 ms: 20 + 10 x log2(4) =
  // 40 us. A signalled waiter's law (G8): 4 us polling, plus 3 us per doubling past 1 ms.
  //   0          T1 takes the GIL; T2 arms its timed wait on an idle core.
  //   4.040000   T2's timer fired at 4.0 ms; T2 runs 40 us later and asks (the request
  //              waited 4.04 ms); T1 drops at once and signals T2, whose core idled
  //              4.04 ms: it runs 4 + 3 x log2(4.04) = 10.043 us later.
  //   4.050043   T2 takes. T1, on switch_cond from a core idle 10 us, wakes 4 us later
  //              and arms at 4.054043.
  //   8.094043   T1 asks (4.054043 + 4 ms + 40 us); T2 drops; T1's core idled 4.04 ms:
  //   8.104086   T1 takes. T2, on switch_cond from a core idle 10 us but 4.050043 ms
  //              before its tenure, wakes 4 + 3 x log2(4.050043) = 10.054 us later and arms
  //              at 8.114140; it asks at 12.154140.
  // With one law for both (3 us per doubling past 1 ms from 4 us), T2 would ask at 4.010 ms.
  auto s = exact_scenario(2);
  s.python.switch_interval = 3'950_us;
  s.costs.timer_slack = 50_us;
  s.costs.timer_wake_min = 20_us;
  s.costs.timer_wake_window = 1_ms;
  s.costs.timer_wake_per_doubling = 10_us;
  s.costs.wake_poll_min = 4_us;
  s.costs.wake_poll_max = 4_us;
  s.costs.wake_poll_window = 1_ms;
  s.costs.wake_per_doubling = 3_us;
  add_jobs(s, "a", 1, {cpu(10_ms)});
  add_jobs(s, "b", 1, {cpu(10_ms)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  const auto held = holders(t, "GIL");
  REQUIRE(held.size() >= 3);
  CHECK(held[0].begin == 0_ns);
  CHECK(held[0].end == 4'040_us);
  CHECK(held[1].begin == 4'050'043_ns);
  CHECK(held[1].end == 8'094'043_ns);
  CHECK(held[2].begin == 8'104'086_ns);
  CHECK(held[2].end == 12'154'140_ns);
  const auto requests = marks_of(t, MarkKind::DropRequest);
  REQUIRE_FALSE(requests.empty());
  CHECK(Time{requests[0]->value} == 4'040_us);
  CHECK(scenario::timer_wake(s.costs, 4_ms) == 40_us);
  CHECK(scenario::timer_wake(s.costs, 1_ms) == 20_us);    // within the window
  CHECK(scenario::timer_wake(s.costs, 100_us) == 20_us);
}

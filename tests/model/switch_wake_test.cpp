// The forced-out dropper's wake-up after the switch (docs/model.md G6, G8): when the new
// holder still holds the GIL, the dropper runs on the idle core it woke on for a moment and
// goes back to its timed wait at once. The engine does that in one step (no core given and
// taken back in one instant); these timelines, written by hand, hold with one shared run
// queue and with per-CPU queues, and beside them the dropper that finds the GIL free.
#include <doctest/doctest.h>

#include "model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::test;
using trace::SpanState;

namespace {

/// Two cores, exact costs, a 4 ms interval; every wake-up takes a poll of 4 us, and past a
/// 1 ms idle window 4 us + 10 us x log2(idle / 1 ms) (as in wake_test.cpp).
scenario::Scenario two_threads(scenario::Placement placement, Time first, Time second) {
  auto s = exact_scenario(2);
  s.machine.placement = placement;
  s.python.switch_interval = 4_ms;
  s.costs.wake_poll_window = 1_ms;
  s.costs.wake_poll_min = 4_us;
  s.costs.wake_poll_max = 4_us;
  s.costs.wake_per_doubling = 10_us;
  add_jobs(s, "a", 1, {cpu(first)});
  add_jobs(s, "b", 1, {cpu(second)});
  return s;
}

const char* name_of(scenario::Placement p) { return p == scenario::Placement::Shared ? "shared" : "per_cpu"; }

}  // namespace

TEST_CASE("a dropper that wakes while the new holder runs goes back to its wait with no core shown, in either placement") {
  //   0          T1 takes the free GIL; T2 blocks in its timed wait, armed at 0.
  //   4.024      T2 asks (4 ms + 4 us + 10 x log2(4) us); T1 drops at once and waits for the
  //              switch; T2, blocked 4.024 ms, wakes 4 + 10 x log2(4.024) = 24.086 us later.
  //   4.048086   T2 takes and runs. T1, blocked 24 us, wakes from a polling core 4 us later.
  //   4.052086   T1 wakes with the GIL held: it arms its timed wait now, and its lane and the
  //              cores show nothing new (it ran on its idle core for a moment only).
  //   8.076086   T1 asks (4.052086 + 4.024); T2 drops; T1 wakes 24.086 us later.
  //   8.100172   T1 takes. T2 idled 4.048086 ms before its tenure: its core is halted,
  //              4 + 10 x log2(4.048086) = 24.172 us: it wakes at 8.124344 and arms then.
  //  12.148344   T2 asks (8.124344 + 4.024).
  for (const auto placement : {scenario::Placement::Shared, scenario::Placement::PerCpu}) {
    CAPTURE(name_of(placement));
    auto s = two_threads(placement, 20_ms, 20_ms);
    const auto t = simulate_with(s, scenario::Executor::Threads);
    check_holders(holders(t, "GIL"),
                  {
                      {0_ms, 4'024_us, "T1"},
                      {4'048'086_ns, 8'076'086_ns, "T2"},
                      {8'100'172_ns, 12'148'344_ns, "T1"},
                  },
                  true);
    // T1's lane: one wait for the GIL from its forced drop to its next tenure.
    const auto& t1 = lane_named(t, "T1");
    REQUIRE(t1.spans.size() >= 3);
    CHECK(t1.spans[0].begin == 0_ms);
    CHECK(t1.spans[0].end == 4'024_us);
    CHECK(t1.spans[0].state == SpanState::Running);
    CHECK(t1.spans[1].begin == 4'024_us);
    CHECK(t1.spans[1].end == 8'100'172_ns);
    CHECK(t1.spans[1].state == SpanState::WaitingGil);
    CHECK(t1.spans[2].begin == 8'100'172_ns);
    CHECK(t1.spans[2].state == SpanState::Running);
    // No core shows a thread from a switch wake-up (4.052086, 8.124344) to the next tenure.
    for (const char* core : {"core 0", "core 1"}) {
      CAPTURE(core);
      for (const auto& span : lane_named(t, core).spans) {
        CHECK_FALSE((span.begin >= 4'052'086_ns && span.begin < 8'100'172_ns));
        CHECK_FALSE((span.begin >= 8'124'344_ns && span.begin < 12'172'430_ns));
      }
    }
  }
}

TEST_CASE("a dropper that wakes after the new holder exited takes the free GIL and runs on, in either placement") {
  //   4.024      T2 asks; T1 drops and waits for the switch; T2 wakes 24.086 us later.
  //   4.048086   T2 takes and runs its 2 us: it exits at 4.050086, the GIL free, nobody waiting.
  //   4.052086   T1 wakes, takes the free GIL on its core and runs the rest of its 12 ms
  //              (7.976 ms): it ends at 12.028086.
  for (const auto placement : {scenario::Placement::Shared, scenario::Placement::PerCpu}) {
    CAPTURE(name_of(placement));
    auto s = two_threads(placement, 12_ms, 2_us);
    const auto t = simulate_with(s, scenario::Executor::Threads);
    check_holders(holders(t, "GIL"), {
                                         {0_ms, 4'024_us, "T1"},
                                         {4'048'086_ns, 4'050'086_ns, "T2"},
                                         {4'052'086_ns, 12'028'086_ns, "T1"},
                                     });
    REQUIRE(t.jobs.size() == 2);
    CHECK(t.jobs[0].end == 12'028'086_ns);
    CHECK(t.jobs[1].end == 4'050'086_ns);
  }
}

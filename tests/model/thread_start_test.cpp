// threading.Thread.start() waits for the new thread (docs/model.md T1a): start() returns
// only once the new thread has a core and the GIL and has run its bootstrap, so a main
// thread that starts threads while every core copies waits for a core at each start.
// Hand-written timelines first.
#include <doctest/doctest.h>

#include "model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::test;

TEST_CASE("start() of a third copying thread on two busy cores returns when a core frees") {
  // Three threads of one 4 ms copy (native, no GIL) on two cores, a 3 ms quantum, exact
  // costs but a 10 us start (main's share, under the GIL) and a 10 us bootstrap:
  //   0 - 10    main starts T1 on core 0, then waits without the GIL.
  //   10 - 20   T1 takes core 1 and the GIL, bootstraps, and copies from 20 (to 4020).
  //   20 - 30   main, woken, takes core 0 and the GIL, starts T2, waits.
  //   30 - 40   T2 takes core 0 and the GIL, bootstraps, copies from 40. main, woken at
  //             40, finds both cores busy: it waits in the run queue without the GIL (G8a;
  //             woken by the Event's lock with no lag, it finds T1 and T2 eligible and in
  //             their protected slices, S3).
  //   3010      T1's quantum ends with main waiting (S2): main takes core 1 and the GIL and
  //             starts T3 until 3020, then waits, with the lag of its 2970 us in the
  //             queue. T1, queued first, takes core 1 back (1010 us left); T3 waits.
  //   3030      T2's quantum ends with T3 waiting: T3 takes core 0 and the GIL, bootstraps,
  //             copies from 3040 to 7040; T2 (1010 us left) waits.
  //   3040      main, woken, placed behind the average by its lag, leaves T1 ineligible
  //             and preempts it (S3), then waits for the joins, off the core: core 1 takes
  //             T2, queued first, to 4050; T1 (990 us left) runs 4050 - 5040; then main.
  // Without the rule, main started T3 at 30 us, before waiting for anything.
  auto s = exact_scenario(2);
  s.machine.placement = scenario::Placement::Shared;  // one shared queue (S1): T1a's timeline
  s.costs.thread_start = 10_us;
  s.costs.thread_bootstrap = 10_us;
  add_jobs(s, "copy", 3, {native(4_ms)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  REQUIRE(t.jobs.size() == 3);
  CHECK(t.jobs[0].begin == 20_us);
  CHECK(t.jobs[1].begin == 40_us);
  CHECK(t.jobs[2].begin == 3'040_us);
  CHECK(t.jobs[0].end == 5'040_us);
  CHECK(t.jobs[1].end == 4'050_us);
  CHECK(t.jobs[2].end == 7'040_us);
  check_holders(holders(t, "core 0"), {{0_us, 10_us, "main"},
                                       {20_us, 30_us, "main"},
                                       {30_us, 40_us, "T2"},
                                       {40_us, 3'030_us, "T2"},
                                       {3'030_us, 3'040_us, "T3"},
                                       {3'040_us, 7'040_us, "T3"}});
  check_holders(holders(t, "core 1"), {{10_us, 20_us, "T1"},
                                       {20_us, 3'010_us, "T1"},
                                       {3'010_us, 3'020_us, "main"},
                                       {3'020_us, 3'040_us, "T1"},
                                       {3'040_us, 4'050_us, "T2"},
                                       {4'050_us, 5'040_us, "T1"}});
  check_holders(holders(t, "GIL"), {{0_us, 10_us, "main"},
                                    {10_us, 20_us, "T1"},
                                    {20_us, 30_us, "main"},
                                    {30_us, 40_us, "T2"},
                                    {3'010_us, 3'020_us, "main"},
                                    {3'030_us, 3'040_us, "T3"}});
}

TEST_CASE("start() waits for the GIL back: a CPU-bound thread keeps it for a switch interval") {
  // Two CPU-bound threads of 12 ms on two cores, a 5 ms interval, exact costs but the
  // default 20 us bootstrap:
  //   0       main starts T1 and waits without the GIL; T1 takes a core and the GIL,
  //           bootstraps until 20, sets the Event, runs on.
  //   20      main, woken on the other core, asks for the GIL: it waits an interval (G2).
  //   5020    T1 drops it at the request; main takes it, starts T2 and waits; T2 takes the
  //           GIL, bootstraps until 5040 and runs. T1, forced out, waits an interval.
  //   5040    main, woken, asks for the GIL again: another interval, to 10020.
  //   10020   main and T1 time out together: main takes the GIL from T2 and drops it at
  //           once to join; T2, still on its core, takes it back before T1 (G8a), whose
  //           lost race starts a fresh interval (G2): T2 holds it 5020 - 15020.
  //   15020   T1 (7 ms left) and T2 (2020 us left) take turns: 15020 - 20020 T1,
  //           20020 - 22040 T2 (done), 22040 - 24040 T1 (done).
  // Without the rule T2 started at 0 beside T1, took the GIL at 5000, and all ended at 24000.
  auto s = exact_scenario(2);
  s.costs.thread_bootstrap = 20_us;
  add_jobs(s, "crunch", 2, {cpu(12_ms)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  REQUIRE(t.jobs.size() == 2);
  CHECK(t.jobs[0].begin == 20_us);
  CHECK(t.jobs[1].begin == 5'040_us);
  check_holders(holders(t, "GIL"), {{0_us, 5'020_us, "T1"},
                                    {5'020_us, 15'020_us, "T2"},
                                    {15'020_us, 20'020_us, "T1"},
                                    {20'020_us, 22'040_us, "T2"},
                                    {22'040_us, 24'040_us, "T1"}});
  CHECK(t.end == 24'040_us);
}

TEST_CASE("an idle start() at the default costs: the starter's thread_start, then the bootstrap") {
  // The default costs (not exact_scenario), two idle cores, one job of 1 ms of Python:
  //   0 - 15      main constructs T1 and starts it holding the GIL (thread_start, 15 us:
  //               measured, T1a), then waits without the GIL.
  //   15 - 28     T1 takes idle core 1 and the free GIL at once, bootstraps (thread_bootstrap,
  //               13 us), sets the Event and runs its job, 28 - 1028.
  //   28          main, woken, asks for the GIL: T1 holds it, so main blocks in take_gil's
  //               wait, core 0 idle.
  //   1028        T1 ends and drops the GIL; main, its core idle 1000 us, wakes after G8's
  //               halted law, 9 + 5.3 x log2(1000 / 390) = 16.2 us, and takes it at 1044.2.
  // With the earlier 100 us estimate the job began at 113 us and main took the GIL at 1129.2.
  scenario::Scenario s;
  s.machine.cores = 2;
  add_jobs(s, "job", 1, {cpu(1_ms)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  CHECK(s.costs.thread_start == 15_us);
  REQUIRE(t.jobs.size() == 1);
  CHECK(t.jobs[0].begin == 28_us);
  CHECK(t.jobs[0].end == 1'028_us);
  check_holders(holders(t, "core 0"), {{0_us, 15_us, "main"}});
  check_holders(holders(t, "core 1"), {{15_us, 28_us, "T1"}, {28_us, 1'028_us, "T1"}});
  check_holders(holders(t, "GIL"), {{0_us, 15_us, "main"}, {15_us, 1'028_us, "T1"}});
  CHECK(t.end == 1'044'200_ns);
}

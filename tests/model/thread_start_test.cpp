// threading.Thread.start() waits for the new thread (docs/model.md T1a): start() returns
// only once the new thread has a core and the GIL and has run its bootstrap, so a main
// thread that starts threads while every core copies waits for a core at each start.
// Hand-written timelines first.
#include <doctest/doctest.h>

#include "model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::test;
using trace::SpanState;

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

TEST_CASE("an idle start() at the default costs: thread_start, the new thread's wake-up, its bootstrap, the starter's") {
  // The default costs (not exact_scenario) but every wake-up's polling draw pinned at 6 us,
  // the middle of its [3, 9] (G8; a halted core's law is then 6 us + 5.3 us a doubling past
  // 390 us), two idle cores, one job of 1 ms of Python:
  //   0 - 15      main constructs T1 and starts it holding the GIL (thread_start, 15 us:
  //               measured, T1a); after clone() its tail (thread_start_tail, 1.6 us, to
  //               16.6) until it waits without the GIL.
  //   15 - 21     T1, made runnable by clone() on idle core 1, runs after G8's wake-up (T1a).
  //   21 - 34     T1 takes core 1 and the free GIL, bootstraps (thread_bootstrap, 13 us), sets
  //               the Event and runs its job, 34 - 1034.
  //   34 - 40     main, its lock's futex signalled, runs after G8's wake-up on core 0 (idle
  //               19 us: polling), asks for the GIL: T1 holds it, so main blocks in take_gil's
  //               wait, core 0 idle from 40.
  //   1034        T1 ends and drops the GIL; main, its core idle 994 us, wakes after G8's
  //               halted law, 6 + 5.3 x log2(994 / 390) = 13.154 us, and takes it at 1047.154.
  // Before the two wake-ups the job began at 28 us and main took the GIL at 1044.2 (the
  // default draw's top, 9 us, in the halted law; 1028 + 16.2).
  scenario::Scenario s;
  s.machine.cores = 2;
  s.costs.wake_poll_min = 6_us;
  s.costs.wake_poll_max = 6_us;
  add_jobs(s, "job", 1, {cpu(1_ms)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  CHECK(s.costs.thread_start == 15_us);
  CHECK(s.costs.thread_bootstrap == 13_us);
  REQUIRE(t.jobs.size() == 1);
  CHECK(t.jobs[0].begin == 34_us);
  CHECK(t.jobs[0].end == 1'034_us);
  check_pieces(pieces(t, "T1", 40_us), {{SpanState::Runnable, 15_us, 21_us},
                                        {SpanState::Starting, 21_us, 34_us},
                                        {SpanState::Running, 34_us, 1'034_us}});
  CHECK(s.costs.thread_start_tail == 1'600_ns);
  check_pieces(pieces(t, "main", 40_us), {{SpanState::Starting, 0_us, 16'600_ns}, {SpanState::Runnable, 34_us, 40_us}});
  check_holders(holders(t, "core 0"), {{0_us, 16'600_ns, "main"}});
  check_holders(holders(t, "core 1"), {{21_us, 34_us, "T1"}, {34_us, 1'034_us, "T1"}});
  check_holders(holders(t, "GIL"), {{0_us, 16'600_ns, "main"}, {21_us, 1'034_us, "T1"}});
  CHECK(t.end == 1'047'154_ns);
}

TEST_CASE("the whole idle start() at the default costs: 40 us with the wake-ups' draws at their middle") {
  // T1a's figure against CPython's 44 us: two jobs that sleep 1 ms, the default costs, two
  // idle cores, every polling draw pinned at 6 us (G8's [3, 9] us: 34 to 46 us over it). The
  // threads executor and a thread pool (each submit() starts a worker, the first one asleep)
  // give one timeline:
  //   0 - 15      main: the first Thread(...) and start() up to _start_new_thread (core 0);
  //               15 - 16.6 its tail after clone(), to _started.wait().
  //   15 - 21     the new thread's wake-up on idle core 1; 21 - 34 its bootstrap under the
  //               GIL; from 34 its job, which drops the GIL to sleep.
  //   34 - 40     main's wake-up on core 0 (idle 19 us: polling); it takes the free GIL at
  //               40: start() has returned, 40 us after it began (3.08 bootstraps).
  //   40 - 55     the second start's thread_start, 55 - 56.6 its tail.
  //   55 - 61     the second thread's wake-up on core 1 (main still on core 0), which it takes
  //               and the GIL at 61, T1 its last thread: a context switch (S5, 3 us), then its
  //               bootstrap, to 77.
  //   77 - 83     main's wake-up; it takes the GIL back at 83 and joins.
  // Before the rule: the new threads ran at once, main's second start began at 28.
  for (const auto executor : {scenario::Executor::Threads, scenario::Executor::ThreadPool}) {
    const std::string name(scenario::to_string(executor));
    CAPTURE(name);
    scenario::Scenario s;
    s.machine.cores = 2;
    s.costs.wake_poll_min = 6_us;
    s.costs.wake_poll_max = 6_us;
    add_jobs(s, "nap", 2, {sleep_for(1_ms)});
    const auto t = simulate_with(s, executor);
    const bool threads = executor == scenario::Executor::Threads;
    const std::string first = threads ? "T1" : "worker 1";
    const std::string second = threads ? "T2" : "worker 2";
    REQUIRE(t.jobs.size() == 2);
    CHECK(t.jobs[0].begin == 34_us);
    CHECK(t.jobs[1].begin == 77_us);
    check_pieces(pieces(t, "main", 90_us), {{SpanState::Starting, 0_us, 16'600_ns},
                                            {SpanState::Runnable, 34_us, 40_us},
                                            {SpanState::Starting, 40_us, 56'600_ns},
                                            {SpanState::Runnable, 77_us, 83_us}});
    check_pieces(pieces(t, first, 34_us), {{SpanState::Runnable, 15_us, 21_us}, {SpanState::Starting, 21_us, 34_us}});
    check_pieces(pieces(t, second, 77_us), {{SpanState::Runnable, 55_us, 61_us}, {SpanState::Starting, 61_us, 77_us}});
    check_holders(holders(t, "GIL"),
                  {{0_us, 16'600_ns, "main"}, {21_us, 34_us, first}, {40_us, 56'600_ns, "main"}, {61_us, 77_us, second}},
                  true);
  }
}

TEST_CASE("asyncio's default executor's workers start after the wake-ups too") {
  // Hand timeline, 4 cores, exact costs but a 10 us thread start, a 20 us bootstrap and every
  // wake-up 5 us (G8's draw [5, 5] us; a halted core's law adds nothing per doubling). Two
  // tasks each await to_thread of a 100 ms blocking wait (as executors_test's T1a case):
  //   0 - 10       the loop runs task 1: its item queued, asyncio_0's start under the GIL;
  //   10 - 15      asyncio_0's wake-up on an idle core; 15 - 35 its bootstrap; then task 1's
  //                item, its wait from 35;
  //   35 - 40      the loop's wake-up; with the GIL back it runs task 2: asyncio_1's start
  //                40 - 50, its wake-up 50 - 55, its bootstrap 55 - 75, its wait from 75;
  //   75 - 80      the loop's wake-up.
  // Before the rule the starts were 0 - 10 and 30 - 40, the bootstraps 10 - 30 and 40 - 60.
  auto s = exact_scenario(4);
  s.costs.thread_start = 10_us;
  s.costs.thread_bootstrap = 20_us;
  s.costs.wake_poll_min = 5_us;
  s.costs.wake_poll_max = 5_us;
  add_jobs(s, "offloaded", 2, {scenario::Step{scenario::StepKind::Offload, scenario::Duration::fixed(100_ms),
                                               scenario::StepKind::Io}});
  const auto t = simulate_with(s, scenario::Executor::Asyncio);
  REQUIRE(t.jobs.size() == 2);
  check_pieces(pieces(t, "asyncio_0", 100_us), {{SpanState::Runnable, 10_us, 15_us},
                                                {SpanState::Starting, 15_us, 35_us},
                                                {SpanState::BlockedIo, 35_us, 100'035_us}});
  check_pieces(pieces(t, "asyncio_1", 100_us), {{SpanState::Runnable, 50_us, 55_us},
                                                {SpanState::Starting, 55_us, 75_us},
                                                {SpanState::BlockedIo, 75_us, 100'075_us}});
  const auto loop = pieces(t, "event loop", 100_us);
  std::vector<Piece> starts;
  for (const auto& p : loop) {
    if (p.state == SpanState::Starting || p.state == SpanState::Runnable) starts.push_back(p);
  }
  check_pieces(starts, {{SpanState::Starting, 0_us, 10_us},
                        {SpanState::Runnable, 35_us, 40_us},
                        {SpanState::Starting, 40_us, 50_us},
                        {SpanState::Runnable, 75_us, 80_us}});
}

TEST_CASE("on one core the starter, woken by its new thread's bootstrap, takes the core back and then the GIL") {
  // One core, exact costs but a 10 us thread start, a 2 us tail, a 10 us bootstrap, every
  // wake-up's draw 5 us (G8), a 100 us switch interval; one job of 1 ms of Python:
  //   0 - 12      main: thread_start (10 us), clone() at 10, the tail (2 us) to
  //               _started.wait(); it drops the GIL and blocks at 12.
  //   10          clone() enqueues T1 on core 0's queue at once (wake_up_new_task, S3):
  //               main, at runtime 12 against T1's 10, blocks owing 1 us (DELAY_DEQUEUE).
  //   10 - 15     T1's wake-up (G8); it takes the idle core at 15 and the free GIL,
  //               bootstraps 15 - 25 and runs its job from 25.
  //   25 - 30     main, notified, wakes. Still delayed, it is requeued with its runtime:
  //               judged against T1's runtime as last accounted (12, at its pick), it owes
  //               nothing more (requeue_delayed_entity runs before update_curr). The
  //               wake-up test, with T1 charged to 27, finds T1 past the average (19.5):
  //               main takes the core at 30 (S3) and asks for the GIL; T1 holds it, so main
  //               waits an interval and T1 has the core back.
  //   130         main's timed wait runs out; it takes the core again (its lag) and sets the
  //               drop request: T1 drops the GIL at its next check point.
  // Before: main, placed level with T1, waited for the core until T1's job ended at 1025.
  auto s = exact_scenario(1);
  s.python.switch_interval = 100_us;
  s.costs.thread_start = 10_us;
  s.costs.thread_start_tail = 2_us;
  s.costs.thread_bootstrap = 10_us;
  s.costs.wake_poll_min = 5_us;
  s.costs.wake_poll_max = 5_us;
  add_jobs(s, "job", 1, {cpu(1_ms)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  REQUIRE(t.jobs.size() == 1);
  CHECK(t.jobs[0].begin == 25_us);
  check_pieces(pieces(t, "T1", 30_us), {{SpanState::Runnable, 10_us, 15_us},
                                        {SpanState::Starting, 15_us, 25_us},
                                        {SpanState::Running, 25_us, 130_us}});
  check_pieces(pieces(t, "main", 30_us), {{SpanState::Starting, 0_us, 12_us}, {SpanState::Runnable, 25_us, 30_us}});
  const auto preempts = marks_of(t, trace::MarkKind::Preempt);
  REQUIRE(!preempts.empty());
  CHECK(preempts[0]->at == 30_us);
  const auto requests = marks_of(t, trace::MarkKind::DropRequest);
  REQUIRE(!requests.empty());
  CHECK(requests[0]->at == 130_us);
  check_holders(holders(t, "GIL"), {{0_us, 12_us, "main"}, {15_us, 130_us, "T1"}}, true);
}

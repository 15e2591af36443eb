// The GIL's own mutex (docs/model.md G8b): take_gil and drop_gil hold it for short critical
// sections, drop_gil across its signal's futex wake-up; a signalled waiter that wakes while
// it is held sleeps on it and is woken again at the unlock, after G8's wake-up. The class
// alone first, then hand-written timelines.
#include <doctest/doctest.h>

#include <algorithm>

#include "model_fixtures.hpp"
#include "sim/model/gil_mutex.hpp"

using namespace gilsim;
using namespace gilsim::test;
using model::GilMutex;
using trace::SpanState;

TEST_CASE("GilMutex: held until the latest section's end; sleepers woken one at a time, longest asleep first") {
  GilMutex m;
  CHECK_FALSE(m.held(0_us));
  m.hold(100_us, 10_us);
  CHECK(m.held(100_us));
  CHECK(m.held(109_us));
  CHECK_FALSE(m.held(110_us));
  m.hold(105_us, 1_us);  // a shorter section inside the first: the mutex is free at 110 us still
  CHECK(m.free_at() == 110_us);
  m.hold(108_us, 5_us);  // one that ends later: free at its end
  CHECK(m.free_at() == 113_us);

  CHECK(m.wake_next() == GilMutex::kNobody);  // nobody asleep
  CHECK(m.sleep(7));                          // the first sleeper: the engine wakes one at the unlock
  CHECK(m.wake_next() == 7);
  CHECK_FALSE(m.sleep(3));                    // 7 is on its way: 3 waits behind, nobody more to wake now
  CHECK_FALSE(m.sleep(5));
  CHECK(m.sleeping() == 2);
  CHECK(m.wake_next() == GilMutex::kNobody);
  m.arrived(3);                               // not the woken one: nothing changes
  CHECK(m.wake_next() == GilMutex::kNobody);
  m.arrived(7);                               // 7 tries the mutex: the next unlock wakes 3
  CHECK(m.wake_next() == 3);
  CHECK(m.sleep(7) == false);                 // 7 found it held again: behind 5
  m.arrived(3);
  CHECK(m.wake_next() == 5);
  m.arrived(5);
  CHECK(m.wake_next() == 7);
  m.arrived(7);
  CHECK(m.sleeping() == 0);
  CHECK(m.wake_next() == GilMutex::kNobody);
}

namespace {

/// Exact costs but G8b's: a 4 us polling wake-up (nothing drawn), drop_gil holding the
/// mutex 10 us when it signals, take_gil 1 us.
scenario::Scenario mutex_scenario() {
  auto s = exact_scenario(2);
  s.costs.wake_poll_window = 1_ms;
  s.costs.wake_poll_min = 4_us;
  s.costs.wake_poll_max = 4_us;
  s.costs.gil_mutex_take = 1_us;
  s.costs.gil_mutex_signal = 10_us;
  return s;
}

}  // namespace

TEST_CASE("a signalled waiter that wakes while drop_gil still holds the mutex sleeps on it and wakes again (G8b)") {
  // T1: 100 us of Python, then 1 ms of I/O. T2: 10 us of Python. Two cores.
  //     0      T1 takes the GIL; T2 finds it locked and waits (its core goes idle).
  //   100      T1 drops it for its I/O and signals T2: drop_gil holds the mutex to 110,
  //            on T1's core (a Native span).
  //   104      T2 awake (a 4 us polling wake-up: its core idled 100 us), on a core: the
  //            mutex is held, so it sleeps on it and gives the core back.
  //   110      drop_gil unlocks and wakes T2: another 4 us. T2 sleeps on the mutex on the
  //            other core, so the unlock's futex wake-up costs T1 another 10 us (G8c): T1
  //            is in drop_gil on its core to 120, and its I/O begins at 120.
  //   114      T2 re-locks the mutex, finds the GIL free, takes it, runs 10 us: ends at 124.
  //  1120      T1 back from I/O ends.
  // Without the mutex (costs zero) T2 takes the GIL at 104 and ends at 114, T1 at 1100.
  auto s = mutex_scenario();
  add_jobs(s, "a", 1, {cpu(100_us), io(1_ms)});
  add_jobs(s, "b", 1, {cpu(10_us)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  check_holders(holders(t, "GIL"), {{0_us, 100_us, "T1"}, {114_us, 124_us, "T2"}});
  const auto& t2 = lane_named(t, "T2");
  REQUIRE(t2.spans.size() == 2);
  CHECK(t2.spans[0].state == SpanState::WaitingGil);
  CHECK(t2.spans[0].begin == 0_us);
  CHECK(t2.spans[0].end == 114_us);
  CHECK(t2.spans[1].state == SpanState::Running);
  CHECK(t2.spans[1].end == 124_us);
  const auto& t1 = lane_named(t, "T1");
  REQUIRE(t1.spans.size() == 3);
  CHECK(t1.spans[1].state == SpanState::Native);
  CHECK(t1.spans[1].begin == 100_us);
  CHECK(t1.spans[2].state == SpanState::BlockedIo);
  CHECK(t1.spans[2].begin == 120_us);
  CHECK(t1.spans[2].end == 1'120_us);

  s.costs.gil_mutex_signal = 0_ns;
  s.costs.gil_mutex_take = 0_ns;
  const auto without = simulate_with(s, scenario::Executor::Threads);
  check_holders(holders(without, "GIL"), {{0_us, 100_us, "T1"}, {104_us, 114_us, "T2"}});

  // A signal held no longer than the wake-up: T2 finds the mutex free at 104, as without it.
  s.costs.gil_mutex_signal = 4_us;
  const auto brief = simulate_with(s, scenario::Executor::Threads);
  check_holders(holders(brief, "GIL"), {{0_us, 100_us, "T1"}, {104_us, 114_us, "T2"}});
}

TEST_CASE("while the woken waiter sleeps on the mutex a returning thread takes the GIL; the waiter waits again (G8b, G1)") {
  // T1: 105 us of I/O, then 50 us of Python. T2: 100 us of Python, then 1 ms of I/O.
  // T3: 10 us of Python. Two cores.
  //     0      T1 takes the free GIL and drops it at once for its I/O (nobody to signal);
  //            T2 takes it; T3 finds it locked and waits.
  //   100      T2 drops the GIL for its I/O and signals T3: the mutex is held to 110 (T2
  //            on its core, core 0, in drop_gil).
  //   104      T3 awake on core 1: the mutex is held: it sleeps on it, and the unlock's
  //            wake-up of it will cost T2 another 10 us (G8c): T2 in drop_gil to 120, its
  //            I/O from 120 to 1120.
  //   105      T1 back from I/O takes core 1 and the free GIL (G1); take_gil's section
  //            ends at 106, inside drop_gil's.
  //   110      drop_gil unlocks and wakes T3 (4 us).
  //   114      T3 awake finds both cores busy (T1, and T2 in drop_gil): it waits in core 1's
  //            queue (S1b, G8a); core 0, free at 120, does not pull it (cache-hot, S1c).
  //   155      T1 exits, dropping the GIL: T3 takes core 1 and the free GIL and runs 10 us:
  //            ends at 165. (Without G8c's cost T2's core is free at 110: T3, awake on it at
  //            114, finds the GIL locked and waits, and is signalled at T1's exit: it sleeps
  //            on the mutex held to 165 and takes the GIL at 169.)
  auto s = mutex_scenario();
  add_jobs(s, "c", 1, {io(105_us), cpu(50_us)});
  add_jobs(s, "a", 1, {cpu(100_us), io(1_ms)});
  add_jobs(s, "b", 1, {cpu(10_us)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  check_holders(holders(t, "GIL"), {{0_us, 100_us, "T2"}, {105_us, 155_us, "T1"}, {155_us, 165_us, "T3"}});
  const auto& t3 = lane_named(t, "T3");
  REQUIRE(t3.spans.size() == 3);
  CHECK(t3.spans[0].state == SpanState::WaitingGil);
  CHECK(t3.spans[0].end == 114_us);
  CHECK(t3.spans[1].state == SpanState::Runnable);
  CHECK(t3.spans[1].end == 155_us);
  CHECK(lane_named(t, "T2").spans.back().end == 1'120_us);
}

TEST_CASE("a forced-out dropper keeps its core through drop_gil's signal, then blocks on switch_cond (G8b, G6)") {
  // One core, the 5 ms interval, 3 ms slices. T1: 20 ms of Python. T2: 1 ms of Python.
  //     0      T1 takes the core and the GIL; T2 waits for the core.
  //     3      T1's slice ends: T2 takes the core, finds the GIL locked and waits (its core
  //            back to T1); its interval ends at 8.
  //     8      the drop request: T1 drops the GIL and signals T2, with the mutex held to
  //            8.010, on its core (a Native span): the core is not free.
  //     8.004  T2 awake (4 us), needs the core: T1 has it, so T2 waits for it.
  //     8.010  T1 unlocks and blocks on switch_cond: its core goes to T2, which finds the
  //            mutex free and the GIL too, takes it and runs 1 ms: ends at 9.010.
  //     8.014  T1 awake from switch_cond (4 us) waits for the core (G8a).
  //     9.010  T2 exits: T1 takes the core and the free GIL and runs its last 12 ms: ends
  //            at 21.010.
  // (Had T1 left its core at 8, T2 woken on it at 8.004 would find the mutex held, sleep
  // on it, take the GIL at 8.014, and T1 would end at 21.014.)
  auto s = mutex_scenario();
  s.machine.cores = 1;
  add_jobs(s, "hog", 1, {cpu(20_ms)});
  add_jobs(s, "short", 1, {cpu(1_ms)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  check_holders(holders(t, "GIL"), {{0_us, 8_ms, "T1"}, {8'010_us, 9'010_us, "T2"}, {9'010_us, 21'010_us, "T1"}});
  const auto& t1 = lane_named(t, "T1");
  const auto native = std::find_if(t1.spans.begin(), t1.spans.end(), [](const auto& sp) { return sp.state == SpanState::Native; });
  REQUIRE(native != t1.spans.end());
  CHECK(native->begin == 8_ms);
  CHECK(native->end == 8'010_us);
  REQUIRE(native + 1 != t1.spans.end());
  CHECK((native + 1)->state == SpanState::WaitingGil);
  CHECK((native + 1)->begin == 8'010_us);
  const auto& core = lane_named(t, "core 0");
  const auto on_core = std::find_if(core.spans.begin(), core.spans.end(), [](const auto& sp) { return sp.begin == 8_ms; });
  REQUIRE(on_core != core.spans.end());
  CHECK(on_core->state == SpanState::Native);
  CHECK(on_core->end == 8'010_us);
}

TEST_CASE("a dropper whose GIL another thread takes during its signal goes on without waiting on switch_cond (G8b, G6)") {
  // Two cores, the 5 ms interval. T1: 5.005 ms of I/O, then 1 ms of Python. T2: 6 ms of
  // Python. T3: 1 ms of Python. Every wake-up 4 us.
  //     0      T1 takes the free GIL and drops it at once for its I/O (a hold of no
  //            length, not drawn); T2 takes it; T3 waits (its interval ends at 5).
  //     5      the drop request: T2 drops the GIL and signals T3, the mutex held to 5.010,
  //            T2 on its core (Native).
  //     5.004  T3 awake on the other core: the mutex is held: it sleeps on it (woken
  //            at 5.010, awake at 5.014); the unlock's wake-up of it costs T2 another 10 us
  //            (G8c): T2 is in drop_gil to 5.020.
  //     5.005  T1 back from I/O takes the free GIL (G1) and runs 1 ms: the switch T2 would
  //            wait for on switch_cond has happened.
  //     5.014  T3 awake, both cores busy: it waits for one (G8a), and is pulled to the one
  //            T2 frees at 5.504, when it is no longer cache-hot (S1c): the GIL is locked, it
  //            waits again.
  //     5.020  T2 leaves drop_gil and, switched already, does not wait on switch_cond: it
  //            asks for the GIL again at once and waits for it (its core goes idle).
  //     6.005  T1 exits and signals T2 or T3 (a draw); the mutex held to 6.015, the woken
  //            one sleeps on it at 6.009, takes the GIL at 6.019 and runs 1 ms to 7.019;
  //            its exit hands over to the other the same way: it ends at 8.033.
  auto s = mutex_scenario();
  add_jobs(s, "io", 1, {io(5'005_us), cpu(1_ms)});
  add_jobs(s, "hog", 1, {cpu(6_ms)});
  add_jobs(s, "short", 1, {cpu(1_ms)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  const auto held = holders(t, "GIL");
  REQUIRE(held.size() == 4);
  check_holders({held[0], held[1]}, {{0_us, 5_ms, "T2"}, {5'005_us, 6'005_us, "T1"}});
  CHECK(held[2].begin == 6'019_us);
  CHECK(held[3].end == 8'033_us);
  const auto& t2 = lane_named(t, "T2");
  const auto native = std::find_if(t2.spans.begin(), t2.spans.end(), [](const auto& sp) { return sp.state == SpanState::Native; });
  REQUIRE(native != t2.spans.end());
  CHECK(native->begin == 5_ms);
  CHECK(native->end == 5'020_us);
  REQUIRE(native + 1 != t2.spans.end());
  CHECK((native + 1)->state == SpanState::WaitingGil);
  CHECK((native + 1)->begin == 5'020_us);
}

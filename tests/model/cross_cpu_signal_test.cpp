// drop_gil's signal of a GIL waiter asleep on another CPU (docs/model.md G8d): what it costs
// the dropper and when the waiter runs follow how long the waiter's CPU has halted, as
// fidelity/short_halt_quiet.jsonl measured them; a waiter on the dropper's own CPU, or on one
// halted past the polling window, keeps G8's and G8b's values. Hand-written timelines.
#include <doctest/doctest.h>

#include <algorithm>

#include "model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::test;
using trace::SpanState;

namespace {

/// Exact costs but the GIL's: G8d's measured law at its medians (no draw), G8b's 10 us signal
/// where G8d does not hold, a 4 us polling wake-up, G8's halted law past a 390 us window.
scenario::Scenario signal_scenario() {
  auto s = exact_scenario(2);
  const scenario::Costs measured;
  s.costs.cross_wake_short = measured.cross_wake_short;  // exact_scenario() turns G8d off
  s.costs.cross_spread = 0.0;
  s.costs.wake_poll_window = 390_us;
  s.costs.wake_poll_min = 4_us;
  s.costs.wake_poll_max = 4_us;
  s.costs.wake_per_doubling = 5'300_ns;
  s.costs.gil_mutex_signal = 10_us;
  return s;
}

/// T1 computes `python`, then drops the GIL for 1 ms of I/O, signalling T2, which waits for
/// the GIL from 0 to compute 10 us. `cpus` pins both, if given.
trace::Trace drop_after(scenario::Scenario s, Time python, std::vector<int> cpus = {}) {
  add_jobs(s, "a", 1, {cpu(python), io(1_ms)});
  add_jobs(s, "b", 1, {cpu(10_us)});
  for (auto& job : s.jobs) job.cpus = cpus;
  return simulate_with(s, scenario::Executor::Threads);
}

/// The dropper's drop_gil section (the Native span at the drop) and its I/O's start.
void check_drop_section(const trace::Trace& t, const char* dropper, Time drop, Time io_start) {
  const auto& t1 = lane_named(t, dropper);
  REQUIRE(t1.spans.size() == 3);
  CHECK(t1.spans[1].state == SpanState::Native);
  CHECK(t1.spans[1].begin == drop);
  CHECK(t1.spans[1].end == io_start);
  CHECK(t1.spans[2].state == SpanState::BlockedIo);
  CHECK(t1.spans[2].begin == io_start);
}

/// The dropper's drop_gil section where it then waits on switch_cond: its second span, Native
/// from `drop` to `end`.
void check_section_before_switch(const trace::Trace& t, const char* dropper, Time drop, Time end) {
  const auto spans = pieces(t, dropper, end);
  REQUIRE(spans.size() >= 2);
  CHECK(spans[1].state == SpanState::Native);
  CHECK(spans[1].begin == drop);
  CHECK(spans[1].end == end);
}

}  // namespace

TEST_CASE("G8d: a waiter whose CPU halted 15 us wakes 25.6 us after the signal, which costs the dropper 23.5 us") {
  //     0      T1 takes the GIL on core 0; T2 waits on core 1, which halts from 0.
  //    15      T1 drops the GIL for its I/O and signals T2, halted 15 us (the short band):
  //            drop_gil holds the mutex 23.5 us, on core 0, to 38.5; the I/O from 38.5.
  //    40.6    T2 runs (25.6 us after the signal), finds the mutex free and the GIL too,
  //            computes 10 us: ends at 50.6.
  // With G8 and G8b alone T2 would run 4 us after the signal, during the 10 us section.
  const auto t = drop_after(signal_scenario(), 15_us);
  check_holders(holders(t, "GIL"), {{0_us, 15_us, "T1"}, {40'600_ns, 50'600_ns, "T2"}});
  check_drop_section(t, "T1", 15_us, 38'500_ns);
}

TEST_CASE("G8d: a waiter whose CPU halted 100 us wakes 54.9 us after the signal, which costs the dropper 33.1 us") {
  //     0      T1 takes the GIL on core 0; T2 waits on core 1, which halts from 0.
  //   100      T1 drops and signals T2, halted 100 us (the middle band): the section lasts
  //            33.1 us, to 133.1, and the I/O begins then.
  //   154.9    T2 runs, takes the free GIL and computes 10 us: ends at 164.9.
  const auto t = drop_after(signal_scenario(), 100_us);
  check_holders(holders(t, "GIL"), {{0_us, 100_us, "T1"}, {154'900_ns, 164'900_ns, "T2"}});
  check_drop_section(t, "T1", 100_us, 133'100_ns);
}

TEST_CASE("G8d: after a halt of 200 us, the long band: a 60.5 us wake-up and a 36.1 us signal") {
  const auto t = drop_after(signal_scenario(), 200_us);
  check_holders(holders(t, "GIL"), {{0_us, 200_us, "T1"}, {260'500_ns, 270'500_ns, "T2"}});
  check_drop_section(t, "T1", 200_us, 236'100_ns);
}

TEST_CASE("G8d: a waiter on the dropper's own CPU keeps G8b's signal and G8's wake-up") {
  // Both pinned to CPU 0 (a 3 ms quantum).
  //     0      T1 takes the GIL and computes; T2 waits for the CPU.
  //     3 ms   T1's slice ends: T2 runs, finds the GIL locked and waits on it, giving the
  //            CPU back to T1.
  //   3.5 ms   T1 drops and signals T2: no idle core for it (T1 runs on CPU 0), so its
  //            wake-up is G8's for a busy core, 4 us, and the signal G8b's 10 us (no other
  //            CPU to interrupt): T1 in drop_gil to 3.51 ms, then its I/O.
  //   3.504 ms T2, awake, finds the mutex held and sleeps on it (G8b); the unlock at 3.51 ms
  //            wakes it, 4 us more: it takes the GIL at 3.514 ms and ends at 3.524 ms.
  // The same as with G8d turned off.
  auto s = signal_scenario();
  const auto t = drop_after(s, 3'500_us, {0});
  check_holders(holders(t, "GIL"), {{0_us, 3'500_us, "T1"}, {3'514_us, 3'524_us, "T2"}});
  check_drop_section(t, "T1", 3'500_us, 3'510_us);
  s.costs.cross_wake_short = 0_ns;
  const auto without = drop_after(s, 3'500_us, {0});
  check_holders(holders(without, "GIL"), {{0_us, 3'500_us, "T1"}, {3'514_us, 3'524_us, "T2"}});
}

TEST_CASE("G8d: a waiter whose CPU halted past the polling window keeps G8's halted law and G8b's signal") {
  // T2's core halted 1 ms > 390 us: G8's law, 4 us + 5.3 us x log2(1000 / 390) = 11.2 us, and
  // the signal G8b's 10 us (the hand-off gaps' calibration holds them).
  const auto t = drop_after(signal_scenario(), 1_ms);
  check_holders(holders(t, "GIL"), {{0_us, 1_ms, "T1"}, {1'011'200_ns, 1'021'200_ns, "T2"}});
  check_drop_section(t, "T1", 1_ms, 1'010_us);
}

TEST_CASE("G8d: a waiter whose CPU idled past the window just before keeps G8's halted law") {
  //     0      T1 takes the GIL and drops it at once for 1 ms of I/O (nobody waits); T2 takes
  //            it on the other core and computes 1.1 ms. T1's core idles.
  //     1 ms   T1 back finds the GIL locked and waits on its core, which halts again.
  //   1.1 ms   T2 drops the GIL for its I/O and signals T1, whose CPU has halted 100 us, but
  //            the governor remembers the 1 ms before (G8): G8's halted law, 11.2 us, and
  //            G8b's 10 us signal, not G8d's middle band (54.9 and 33.1 us).
  //   1.1112 ms T1 takes the GIL and computes 10 us.
  auto s = signal_scenario();
  add_jobs(s, "b", 1, {io(1_ms), cpu(10_us)});
  add_jobs(s, "a", 1, {cpu(1'100_us), io(1_ms)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  check_holders(holders(t, "GIL"), {{0_us, 1'100_us, "T2"}, {1'111'200_ns, 1'121'200_ns, "T1"}});
  check_drop_section(t, "T2", 1'100_us, 1'110_us);
}

TEST_CASE("G8d: with its spread the law draws each wake-up and signal between the band's 10th percentile and its mirror") {
  // The short band (a halt of 15 us): wake-ups in [18.9, 32.3] us (25.6 less and plus 6.7),
  // signals in [16.3, 30.7] (23.5 less and plus 7.2), on both sides of their medians over seeds.
  // A waiter woken within the signal sleeps on the mutex (G8c): the unlock wakes it 4 us later
  // (G8's polling draw), so it takes the GIL at most 34.7 us after the signal began, and the
  // dropper pays a second signal, from the short band too (asleep at most 30.7 - 18.9 us).
  auto s = signal_scenario();
  s.costs.cross_spread = 1.0;
  int early = 0;
  int late = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    CAPTURE(seed);
    s.seed = seed;
    const auto t = drop_after(s, 15_us);
    const auto& t1 = lane_named(t, "T1");
    REQUIRE(t1.spans.size() == 3);
    const Time section = t1.spans[1].duration();
    const auto held = holders(t, "GIL");
    REQUIRE(held.size() == 2);
    const Time taken = held[1].begin - 15_us;
    const bool slept_on_mutex = taken < section;
    CHECK(taken >= 18'900_ns);
    CHECK(taken <= (slept_on_mutex ? 34'700_ns : 32'300_ns));
    CHECK(section >= 16'300_ns);
    CHECK(section <= (slept_on_mutex ? 61'400_ns : 30'700_ns));
    (taken < 25'600_ns ? early : late) += 1;
  }
  CHECK(early > 0);
  CHECK(late > 0);
}

TEST_CASE("G8d: a halt of exactly 28 us is in the middle band, of exactly 113 us in the long band") {
  // The bands' edges belong to the band above (h < 28 us short, 28 <= h < 113 us middle).
  const auto middle = drop_after(signal_scenario(), 28_us);
  check_holders(holders(middle, "GIL"), {{0_us, 28_us, "T1"}, {82'900_ns, 92'900_ns, "T2"}});
  check_drop_section(middle, "T1", 28_us, 61'100_ns);
  const auto longer = drop_after(signal_scenario(), 113_us);
  check_holders(holders(longer, "GIL"), {{0_us, 113_us, "T1"}, {173'500_ns, 183'500_ns, "T2"}});
  check_drop_section(longer, "T1", 113_us, 149'100_ns);
}

TEST_CASE("G8d: the drop deadline's forced switch signals a waiter halted within the window by its band") {
  // A switch interval of 100 us, T1 computing 300 us: force_out().
  //     0      T1 takes the GIL on core 0; T2 waits on core 1, which halts from 0.
  //   100      The drop deadline: T1 is forced out and signals T2, halted 100 us (the middle
  //            band): T1 holds the mutex 33.1 us in drop_gil, to 133.1, then waits on
  //            switch_cond.
  //   154.9    T2 runs and takes the GIL (54.9 us after the signal); its take's futex wake-up
  //            of T1 on switch_cond, on another core, costs it G8b's 10 us (G8c), then it
  //            computes 10 us: the GIL to 174.9.
  auto s = signal_scenario();
  s.python.switch_interval = 100_us;
  add_jobs(s, "a", 1, {cpu(300_us)});
  add_jobs(s, "b", 1, {cpu(10_us)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  check_holders(holders(t, "GIL"), {{0_us, 100_us, "T1"}, {154'900_ns, 174'900_ns, "T2"}}, true);
  check_section_before_switch(t, "T1", 100_us, 133'100_ns);
}

TEST_CASE("G8d: drop_gil() itself, with a drop request pending, signals by the band, and its section is the band's") {
  // Not the straight paths: T1 holds the GIL through a `with` statement of 150 us (no check
  // point), then drops it with T2's request pending (G6), for its I/O or at its next check
  // point (a forced switch, forced_switch()).
  //     0      T1 takes the GIL on core 0; T2 waits on core 1, which halts from 0.
  //   100      T2's drop deadline: T1 has no check point, the request stays pending.
  //   150      T1 drops the GIL and signals T2, halted 150 us (the long band): T1 holds the
  //            mutex 36.1 us in drop_gil, to 186.1, then waits on switch_cond.
  //   210.5    T2 runs (60.5 us after the signal) and takes the GIL; its futex wake-up of T1
  //            on switch_cond costs it G8b's 10 us (G8c), then it computes 10 us.
  auto s = signal_scenario();
  s.python.switch_interval = 100_us;
  s.costs.lock_with = 150_us;
  const auto lock = add_lock(s, "l");
  std::size_t forced = 0;
  SUBCASE("for a blocking call") { add_jobs(s, "a", 1, {acquire(lock), io(1_ms), release(lock)}); }
  SUBCASE("at a check point") {
    add_jobs(s, "a", 1, {acquire(lock), cpu(100_us), release(lock)});
    forced = 1;
  }
  add_jobs(s, "b", 1, {cpu(10_us)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  CHECK(marks_of(t, trace::MarkKind::DropRequest).size() == 1);
  CHECK(marks_of(t, trace::MarkKind::ForcedSwitch).size() == forced);
  check_holders(holders(t, "GIL"), {{0_us, 150_us, "T1"}, {210'500_ns, 230'500_ns, "T2"}}, forced == 1);
  check_section_before_switch(t, "T1", 150_us, 186'100_ns);
}

TEST_CASE("G8d: a thread that ends holding the GIL wakes a waiter halted within the window by the band") {
  //     0      T1 takes the GIL on core 0; T2 waits on core 1, which halts from 0.
  //   100      T1 ends, its drop_gil signals T2, halted 100 us (the middle band): it runs
  //            54.9 us later (not G8's 4 us), takes the GIL and computes 10 us.
  auto s = signal_scenario();
  add_jobs(s, "a", 1, {cpu(100_us)});
  add_jobs(s, "b", 1, {cpu(10_us)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  check_holders(holders(t, "GIL"), {{0_us, 100_us, "T1"}, {154'900_ns, 164'900_ns, "T2"}});
}

namespace {
/// signal_scenario() where the first signal outlasts the wake-up: a waiter halted 15 us (the
/// short band) wakes in 20 us and the signal costs 60 us, so the waiter sleeps on the mutex
/// 40 us (the middle band) before the unlock's second signal; and one halted 100 us (the
/// middle band) wakes in 30 us of a 50 us signal, asleep 20 us (the short band).
scenario::Scenario outlasting_signals() {
  auto s = signal_scenario();
  s.costs.cross_wake_short = 20_us;
  s.costs.cross_signal_short = 60_us;
  s.costs.cross_wake_mid = 30_us;
  s.costs.cross_signal_mid = 50_us;
  return s;
}
}  // namespace

TEST_CASE("G8c with G8d: the unlock's second signal is drawn from the band of the halt since the waiter slept") {
  SUBCASE("a short halt, then 40 us asleep on the mutex: the second signal the middle band's") {
    //   15      T1 signals T2 (halted 15 us): the mutex held 60 us, to 75; T2 wakes at 35,
    //           sleeps on the mutex, its CPU halts 40 us: the unlock's futex wake-up costs
    //           T1 the middle band's 50 us more (not the short band's 60), its section
    //           110 us, to 125.
    //   75      The unlock wakes T2 (G8's polling draw, 4 us): it takes the GIL at 79.
    const auto t = drop_after(outlasting_signals(), 15_us);
    check_holders(holders(t, "GIL"), {{0_us, 15_us, "T1"}, {79_us, 89_us, "T2"}});
    check_drop_section(t, "T1", 15_us, 125_us);
  }
  SUBCASE("a middle halt, then 20 us asleep on the mutex: the second signal the short band's") {
    //  100      T1 signals T2 (halted 100 us): the mutex held 50 us, to 150; T2 wakes at 130,
    //           sleeps 20 us: the second signal the short band's 60 us (not the middle
    //           band's 50), the section 110 us, to 210.
    //  150      The unlock wakes T2, 4 us: it takes the GIL at 154.
    const auto t = drop_after(outlasting_signals(), 100_us);
    check_holders(holders(t, "GIL"), {{0_us, 100_us, "T1"}, {154_us, 164_us, "T2"}});
    check_drop_section(t, "T1", 100_us, 210_us);
  }
}

TEST_CASE("G8d: its draws are the seed's: one seed twice gives the same signals and wake-ups") {
  // The draws come in a fixed order (the signal, the wake-up, then any second signal), from
  // the run's one seeded stream.
  auto s = signal_scenario();
  s.costs.cross_spread = 1.0;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    CAPTURE(seed);
    s.seed = seed;
    const auto first = drop_after(s, 15_us);
    const auto again = drop_after(s, 15_us);
    const auto held = holders(first, "GIL");
    check_holders(holders(again, "GIL"), held);
    const auto& t1 = lane_named(first, "T1");
    REQUIRE(t1.spans.size() == 3);
    check_drop_section(again, "T1", 15_us, t1.spans[1].end);
  }
}

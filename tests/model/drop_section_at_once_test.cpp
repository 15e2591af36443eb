// The voluntary dropper's mutex section run at once (Engine::section_end_next_or_park(), from
// run_drop_section()): a holder that ends its Python and blocks on I/O drops the GIL with a
// waiter to signal (G8b); the section's end runs where its event ends, with no timer parked
// and popped, when it is the loop's next event, and is parked as before when it is not (the
// woken waiter's attempt due first, or with it and set before it; the run's limit of events).
// Hand-written timelines with exact times.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "model_fixtures.hpp"
#include "sim/model/simulate.hpp"
#include "watched_runs.hpp"

using namespace gilsim;
using namespace gilsim::test;
using trace::SpanState;

namespace {

/// Two threads on 2 cores with per-CPU queues, each 1 ms of Python, 100 us of I/O and 500 us
/// of Python; exact costs but every wake-up `wake` and drop_gil's signal `signal`
/// (exact_with_wakes()), a switch interval of 4 ms.
scenario::Scenario readers(Time wake, Time signal) {
  auto s = exact_with_wakes(wake, signal);
  s.machine.placement = scenario::Placement::PerCpu;
  add_jobs(s, "reader", 2, {cpu(1_ms), io(100_us), cpu(500_us)});
  scenario::Run run;
  run.name = "threads";
  run.executor = scenario::Executor::Threads;
  s.runs = {run};
  return s;
}

/// The readers' run with `wake` and `signal`: the GIL's holds, each thread's spans and the
/// count of events are exactly these; watched at every event, it is the run unwatched.
/// Gives the trace and the instants the watched run stopped at.
std::vector<Time> check_readers(Time wake, Time signal, const std::vector<Hold>& holds,
                                const std::vector<Piece>& t1, const std::vector<Piece>& t2,
                                std::uint64_t events, trace::Trace* trace = nullptr) {
  const auto s = readers(wake, signal);
  model::SimulationStats stats;
  const auto t = model::simulate(s, s.runs[0], &stats);
  check_holders(holders(t, "GIL"), holds);
  check_pieces(pieces(t, "T1"), t1);
  check_pieces(pieces(t, "T2"), t2);
  CHECK(stats.events == events);
  if (trace != nullptr) *trace = t;
  return instants_watched_at_every_event(s);
}

}  // namespace

TEST_CASE("a voluntary dropper's mutex section ends at once when it is the next event (G8b)") {
  // Every wake-up 11 us, drop_gil's signal 10 us.
  //   0        T1 takes the GIL on core 0 and runs its 1 ms of Python; T2, on core 1, waits.
  //   1.000    T1 blocks on I/O: drop_gil signals T2 (awake at 1.011 on core 1, later than the
  //            signal, so no second signal: G8c) in its section of 10 us (Native, core 0). Its
  //            end, due first, runs at once: T1 blocks on I/O to 1.110.
  //   1.011    T2 takes the GIL and runs its 1 ms of Python to 2.011.
  //   1.110    T1 is back, finds the GIL held and waits (its core taken and given back).
  //   2.011    T2 blocks on I/O the same way: its section to 2.021 (at once), I/O to 2.121;
  //            T1, signalled, is awake at 2.022 and runs its last 500 us to 2.522.
  //   2.121    T2 is back and waits; at 2.522 T1 ends and signals it: T2 awake at 2.533 runs
  //            its last 500 us to 3.033.
  // Events: 18, as when each section's end went through the timers. Watched, the run stops
  // at its limit after each Python end, before the section's end it would run at once.
  trace::Trace t;
  const auto stopped_at = check_readers(11_us, 10_us,
                                        {{0_ms, 1'000_us, "T1"},
                                         {1'011_us, 2'011_us, "T2"},
                                         {2'022_us, 2'522_us, "T1"},
                                         {2'533_us, 3'033_us, "T2"}},
                                        {{SpanState::Running, 0_ms, 1'000_us},
                                         {SpanState::Native, 1'000_us, 1'010_us},
                                         {SpanState::BlockedIo, 1'010_us, 1'110_us},
                                         {SpanState::WaitingGil, 1'110_us, 2'022_us},
                                         {SpanState::Running, 2'022_us, 2'522_us}},
                                        {{SpanState::WaitingGil, 0_ms, 1'011_us},
                                         {SpanState::Running, 1'011_us, 2'011_us},
                                         {SpanState::Native, 2'011_us, 2'021_us},
                                         {SpanState::BlockedIo, 2'021_us, 2'121_us},
                                         {SpanState::WaitingGil, 2'121_us, 2'533_us},
                                         {SpanState::Running, 2'533_us, 3'033_us}},
                                        18, &t);
  check_pieces(pieces(t, "core 0"), {{SpanState::Running, 0_ms, 1'000_us},
                                     {SpanState::Native, 1'000_us, 1'010_us},
                                     {SpanState::Running, 2'022_us, 2'522_us}});
  check_pieces(pieces(t, "core 1"), {{SpanState::Running, 1'011_us, 2'011_us},
                                     {SpanState::Native, 2'011_us, 2'021_us},
                                     {SpanState::Running, 2'533_us, 3'033_us}});
  CHECK(contains(stopped_at, 1'000_us));
  CHECK(contains(stopped_at, 2'011_us));
}

TEST_CASE("a voluntary dropper's mutex section whose waiter wakes first is parked, and ends after it (G8b, G8c)") {
  // Every wake-up 5 us, drop_gil's signal 10 us: T2, signalled at 1.000 on core 1, is awake at
  // 1.005, before the signal's end, so it sleeps on the mutex and the unlock wakes it again:
  // T1's section is two signals, 1.000 to 1.020 (G8c). T2's attempt at 1.005 comes first, so
  // the section's end is parked: T2 finds the mutex held to 1.010, sleeps on it, and woken
  // 5 us after its unlock takes the GIL at 1.015; T1's section ends at 1.020 and its I/O at
  // 1.120, where it waits. T2 blocks on I/O at 2.015 the same way (section to 2.035, I/O to
  // 2.135); T1, awake at 2.020, sleeps on the mutex to 2.025 and takes the GIL at 2.030, runs
  // its last 500 us to 2.530 and ends, signalling T2 (waiting since 2.135) the same way: awake
  // at 2.535 before the signal's end, T2 sleeps on the mutex to 2.540, takes the GIL at 2.545
  // and runs to 3.045. Events: 21, as when the section's end went through the timers.
  check_readers(5_us, 10_us,
                {{0_ms, 1'000_us, "T1"}, {1'015_us, 2'015_us, "T2"}, {2'030_us, 2'530_us, "T1"},
                 {2'545_us, 3'045_us, "T2"}},
                {{SpanState::Running, 0_ms, 1'000_us},
                 {SpanState::Native, 1'000_us, 1'020_us},
                 {SpanState::BlockedIo, 1'020_us, 1'120_us},
                 {SpanState::WaitingGil, 1'120_us, 2'030_us},
                 {SpanState::Running, 2'030_us, 2'530_us}},
                {{SpanState::WaitingGil, 0_ms, 1'015_us},
                 {SpanState::Running, 1'015_us, 2'015_us},
                 {SpanState::Native, 2'015_us, 2'035_us},
                 {SpanState::BlockedIo, 2'035_us, 2'135_us},
                 {SpanState::WaitingGil, 2'135_us, 2'545_us},
                 {SpanState::Running, 2'545_us, 3'045_us}},
                21);
}

TEST_CASE("a voluntary dropper's mutex section that ends with its waiter's attempt, set before it, ends after it (G8b)") {
  // Every wake-up 10 us, as long as drop_gil's signal: T2's attempt and T1's section's end
  // are due together at 1.010, and the attempt, set first, goes first (the timers' ties), so
  // the section's end is parked. T2 finds the mutex free (held to 1.010) and takes the GIL at
  // 1.010, where T1's section ends and its I/O begins; the rest as in the first case, each
  // wake-up 1 us shorter (events: 18).
  check_readers(10_us, 10_us,
                {{0_ms, 1'000_us, "T1"}, {1'010_us, 2'010_us, "T2"}, {2'020_us, 2'520_us, "T1"},
                 {2'530_us, 3'030_us, "T2"}},
                {{SpanState::Running, 0_ms, 1'000_us},
                 {SpanState::Native, 1'000_us, 1'010_us},
                 {SpanState::BlockedIo, 1'010_us, 1'110_us},
                 {SpanState::WaitingGil, 1'110_us, 2'020_us},
                 {SpanState::Running, 2'020_us, 2'520_us}},
                {{SpanState::WaitingGil, 0_ms, 1'010_us},
                 {SpanState::Running, 1'010_us, 2'010_us},
                 {SpanState::Native, 2'010_us, 2'020_us},
                 {SpanState::BlockedIo, 2'020_us, 2'120_us},
                 {SpanState::WaitingGil, 2'120_us, 2'530_us},
                 {SpanState::Running, 2'530_us, 3'030_us}},
                18);
}

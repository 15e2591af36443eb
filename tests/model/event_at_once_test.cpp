// Events run at once where the event before them ends (Engine::unlock_next_or_set(),
// Engine::switch_wake_next_or_set()): a forced-out dropper's mutex unlock (G8b) and its switch
// wake (G6), each its event's last change, run with no timer set when they are the loop's next
// event, and are set as before when they are not (a timer due first, a tie with one set
// before, the run's limit of events). Hand-written timelines with exact times.
#include <doctest/doctest.h>

#include <algorithm>
#include <initializer_list>
#include <mutex>
#include <utility>
#include <vector>

#include "model_fixtures.hpp"
#include "watched_runs.hpp"
#include "sim/model/simulate.hpp"
#include "tests/same_runs.hpp"

using namespace gilsim;
using namespace gilsim::test;
using trace::SpanState;

namespace {

/// Two hogs of `work` of Python each on 2 cores with per-CPU queues, exact costs but every
/// wake-up `wake` and drop_gil's signal `signal` (exact_with_wakes()), a switch interval of 4 ms.
scenario::Scenario two_hogs(Time work, Time wake, Time signal) {
  auto s = exact_with_wakes(wake, signal);
  s.machine.placement = scenario::Placement::PerCpu;
  add_jobs(s, "hog", 2, {cpu(work)});
  scenario::Run run;
  run.name = "threads";
  run.executor = scenario::Executor::Threads;
  s.runs = {run};
  return s;
}

/// Two hogs of 6 ms with every wake-up 11 us and drop_gil's signal `signal`, simulated: the
/// trace, and its count of events in `events`.
trace::Trace run_two_hogs(Time signal, std::uint64_t& events) {
  const auto s = two_hogs(6_ms, 11_us, signal);
  model::SimulationStats stats;
  auto t = model::simulate(s, s.runs[0], &stats);
  events = stats.events;
  return t;
}

/// The GIL's holds of two threads taking turns, T1 first: each `{begin, end}` in order.
std::vector<Hold> turns(std::initializer_list<std::pair<Time, Time>> holds) {
  std::vector<Hold> out;
  for (const auto& [begin, end] : holds) out.push_back({begin, end, out.size() % 2 == 0 ? "T1" : "T2"});
  return out;
}

}  // namespace

TEST_CASE("a forced-out dropper's mutex unlock and switch wake run at once, at their instants (G6, G8b)") {
  // Two hogs of 6 ms of Python, every wake-up 11 us, drop_gil's signal 10 us, interval 4 ms.
  //   0        T1 takes the GIL on core 0; T2, on core 1, arms its timed wait.
  //   4.011    T2's drop deadline (4 ms + the timed wait's 11 us wake-up): T1 is forced out,
  //            in drop_gil's section on core 0 (Native) to its unlock at 4.021, the signalled
  //            T2 awake at 4.022. The unlock, the forced switch's last change and due before
  //            the attempt, runs at once: T1 leaves core 0 and waits on switch_cond.
  //   4.022    T2 takes the GIL. A thread back in its program after its take, it pays its
  //            signal of switch_cond (T1 on another core, G8c): 10 us of C under the GIL (Waking), then
  //            its Python from 4.032. T1 wakes at 4.033 (from the loop: this take is not the
  //            straight path's) and goes back to its timed wait: its deadline 8.044.
  //   8.044    T2 is forced out: its section to 8.054 (its unlock at once), T1 awake at 8.055.
  //   8.055    T1, forced out before, takes the GIL and goes on with its Python (the take's
  //            straight path, take_and_run()) to its end, 1.989 ms later at 10.044. T2's
  //            switch wake at 8.066, its take's last change and the next event, runs at once.
  //   10.044   T1 ends and drops the GIL; T2 awake at 10.055 runs its last 1.988 ms to 12.043.
  // Events: the three starts, the deadline, the unlock, the attempt, T2's Resume (run at once)
  // and its signal's end, T1's switch wake, the deadline, the unlock, the attempt, the switch
  // wake, T1's end, T2's attempt and T2's end: 16, as when every one went through the heap.
  std::uint64_t events = 0;
  const auto t = run_two_hogs(10_us, events);
  check_holders(holders(t, "GIL"), turns({{0_ms, 4'011_us}, {4'022_us, 8'044_us},
                                          {8'055_us, 10'044_us}, {10'055_us, 12'043_us}}));
  check_pieces(pieces(t, "T1"), {{SpanState::Running, 0_ms, 4'011_us},
                                 {SpanState::Native, 4'011_us, 4'021_us},
                                 {SpanState::WaitingGil, 4'021_us, 8'055_us},
                                 {SpanState::Running, 8'055_us, 10'044_us}});
  check_pieces(pieces(t, "T2"), {{SpanState::WaitingGil, 0_ms, 4'022_us},
                                 {SpanState::Waking, 4'022_us, 4'032_us},
                                 {SpanState::Running, 4'032_us, 8'044_us},
                                 {SpanState::Native, 8'044_us, 8'054_us},
                                 {SpanState::WaitingGil, 8'054_us, 10'055_us},
                                 {SpanState::Running, 10'055_us, 12'043_us}});
  check_pieces(pieces(t, "core 0"), {{SpanState::Running, 0_ms, 4'011_us},
                                     {SpanState::Native, 4'011_us, 4'021_us},
                                     {SpanState::Running, 8'055_us, 10'044_us}});
  check_pieces(pieces(t, "core 1"), {{SpanState::Running, 4'022_us, 8'044_us},  // its wake too
                                     {SpanState::Native, 8'044_us, 8'054_us},
                                     {SpanState::Running, 10'055_us, 12'043_us}});
  CHECK(events == 16);
  // Watched, the run stops at its limit after the deadline and after the take, before the
  // events they would run at once.
  const auto stopped_at = instants_watched_at_every_event(two_hogs(6_ms, 11_us, 10_us));
  CHECK(contains(stopped_at, 4'011_us));
  CHECK(contains(stopped_at, 8'055_us));
}

TEST_CASE("an unlock due with the woken waiter's attempt, set before it, runs after it (G8b)") {
  // As above, but drop_gil's signal 11 us, as long as the wake-up: at 4.022 the unlock and
  // T2's attempt are due together, and the attempt, set first, goes first (the timers' ties).
  // T2 finds the mutex free and takes the GIL while T1 is still in its unlock, so T1 is not
  // waiting on switch_cond (no signal to pay: T2 runs its Python from 4.022); T1, at its
  // unlock, asks again and arms its timed wait: its deadline 8.033. There T2 is forced out
  // (section to 8.044) and T1, due at 8.044 with the unlock, takes the GIL first again, runs
  // its last 1.989 ms to 10.033; T2 takes at 10.044 and ends at 12.033. Run at once before
  // the attempt, the unlock would leave T1 waiting on switch_cond and T2's take would pay its
  // signal. Events: 14.
  std::uint64_t events = 0;
  const auto t = run_two_hogs(11_us, events);
  check_holders(holders(t, "GIL"), turns({{0_ms, 4'011_us}, {4'022_us, 8'033_us},
                                          {8'044_us, 10'033_us}, {10'044_us, 12'033_us}}));
  check_pieces(pieces(t, "T1"), {{SpanState::Running, 0_ms, 4'011_us},
                                 {SpanState::Native, 4'011_us, 4'022_us},
                                 {SpanState::WaitingGil, 4'022_us, 8'044_us},
                                 {SpanState::Running, 8'044_us, 10'033_us}});
  CHECK(events == 14);
  CHECK(contains(instants_watched_at_every_event(two_hogs(6_ms, 11_us, 11_us)), 8'033_us));
}


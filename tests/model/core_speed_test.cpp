// Cores of different speeds (docs/model.md S7): a core of relative speed s does d of work in
// d / s, and a compute that moves between cores keeps the work it did on each. Hand-written
// timelines first.
#include <doctest/doctest.h>

#include "model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::test;

TEST_CASE("a loop on a half-speed core takes twice as long; every core at 1.0 is the default") {
  // The main thread runs the loop on core 0 (S1: the first free core).
  for (const auto& [speeds, end] : {std::pair{std::vector<double>{0.5, 1.0}, 20_ms},
                                    std::pair{std::vector<double>{1.0, 0.5}, 10_ms},
                                    std::pair{std::vector<double>{}, 10_ms},
                                    std::pair{std::vector<double>{1.0, 1.0}, 10_ms}}) {
    CAPTURE(speeds.size());
    auto s = exact_scenario(2);
    s.machine.core_speeds = speeds;
    add_jobs(s, "loop", 1, {cpu(4_ms), native(6_ms)});
    const auto t = simulate_with(s, scenario::Executor::Sequential);
    CHECK(t.jobs[0].end == end);
    CHECK(t.end == end);
  }
}

TEST_CASE("two CPU-bound threads on cores of speed 1.0 and 0.5 keep the work each slice did") {
  // The main thread starts both threads and parks in join(): T1 runs on core 0 (1.0), T2 on
  // core 1 (0.5), and each comes back to its own core (S1). Jobs of 6 ms of work, interval
  // 5 ms, exact costs:
  //    0 -  5  T1 on core 0: 5 ms of work done, 1 left; T2 asks at 5 (G2).
  //    5 - 10  T2 on core 1: 2.5 ms done, 3.5 left; T1 asks at 10.
  //   10 - 11  T1: its last 1 ms; it ends and drops.
  //   11 - 18  T2: its last 3.5 ms of work at half speed, alone.
  auto s = exact_scenario(2);
  s.machine.core_speeds = {1.0, 0.5};
  add_jobs(s, "a", 1, {cpu(6_ms)});
  add_jobs(s, "b", 1, {cpu(6_ms)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  check_holders(holders(t, "GIL"), {
                                       {0_ms, 5_ms, "T1"},
                                       {5_ms, 10_ms, "T2"},
                                       {10_ms, 11_ms, "T1"},
                                       {11_ms, 18_ms, "T2"},
                                   });
  check_holders(holders(t, "core 0"), {{0_ms, 5_ms, "T1"}, {10_ms, 11_ms, "T1"}});
  check_holders(holders(t, "core 1"), {{5_ms, 10_ms, "T2"}, {11_ms, 18_ms, "T2"}});
  CHECK(t.jobs[0].end == 11_ms);
  CHECK(t.jobs[1].end == 18_ms);
}

TEST_CASE("threads that move between a fast and a slow core keep the work done on each") {
  // Three threads of 4.5 ms of native work (no GIL) on cores of speed 1.0 and 0.5, a 3 ms
  // quantum, exact costs. T1 starts on core 0, T2 on core 1, T3 waits in the run queue.
  //   0 - 3  T1 on core 0: 3 ms done; T2 on core 1: 1.5 done. At 3 both slices end (S2):
  //          T3 takes core 0, T1 (queued first) core 1, T2 waits.
  //   3 - 6  T3 on core 0: 3 done; T1 on core 1: 1.5 more, 4.5 in all: it ends at 6.
  //          Core 0's slice ends: T2 takes it; T3 waits, then takes core 1, freed by T1.
  //   6 - 9  T2 on core 0: its last 3 ms; T3 on core 1: its last 1.5 ms at half speed.
  auto s = exact_scenario(2);
  s.machine.placement = scenario::Placement::Shared;  // one shared queue (S1): S7's timeline
  s.machine.core_speeds = {1.0, 0.5};
  add_jobs(s, "copy", 3, {native(4'500_us)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  CHECK(t.jobs[0].end == 6_ms);
  CHECK(t.jobs[1].end == 9_ms);
  CHECK(t.jobs[2].end == 9_ms);
  check_holders(holders(t, "core 0"), {{0_ms, 3_ms, "T1"}, {3_ms, 6_ms, "T3"}, {6_ms, 9_ms, "T2"}});
  check_holders(holders(t, "core 1"), {{0_ms, 3_ms, "T2"}, {3_ms, 6_ms, "T1"}, {6_ms, 9_ms, "T3"}});
}

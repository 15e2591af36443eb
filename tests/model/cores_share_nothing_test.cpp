// Cores share nothing (docs/model.md S8): a copy (a native step, on a core without the GIL)
// takes as long beside another copy on the other core as alone, in threads and in
// processes, as two_at_once.py and file_reads.py measured on the test machine. Hand-written
// timelines first; a rule that shared a bandwidth between the cores would fail them.
#include <doctest/doctest.h>

#include "model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::test;

TEST_CASE("two threads' copies of 4 ms at once on two cores end together at 4 ms") {
  // Exact costs: the main thread starts T1 and T2 at 0 and parks in join(); T1 runs on
  // core 0 and T2 on core 1 (S1, as in core_speed_test.cpp). Each drops the GIL around its
  // copy (G7), so both copy from 0 to 4 ms, each at its core's full speed.
  // One after another on one core, the same copies end at 4 and 8 ms.
  auto s = exact_scenario(2);
  add_jobs(s, "copy", 2, {native(4_ms)});
  const auto alone = simulate_with(s, scenario::Executor::Sequential);
  CHECK(alone.jobs[1].end == 8_ms);
  const auto t = simulate_with(s, scenario::Executor::Threads);
  CHECK(t.jobs[0].end == 4_ms);
  CHECK(t.jobs[1].end == 4_ms);
  check_holders(holders(t, "core 0"), {{0_ms, 4_ms, "T1"}});
  check_holders(holders(t, "core 1"), {{0_ms, 4_ms, "T2"}});
  CHECK(t.end == 4_ms);
}

TEST_CASE("three processes' copies on two cores: each takes its 4 ms of core time, beside another or alone") {
  // Three processes of one 4 ms copy each on two cores, a 3 ms quantum, exact costs (no
  // start or exit cost). P1 and P2 copy side by side from 0, P3 waits in the run queue.
  //   0 - 3  P1 and P2: 3 ms done each. Both slices end with P3 waiting (S2): P3 takes one
  //          core, P1 (queued first) the other, P2 waits.
  //   3 - 4  P1 its last 1 ms: it ends at 4 and P2 takes its core.
  //   4 - 5  P2 its last 1 ms: it ends at 5. P3, 2 ms done at 5, goes on alone.
  //   5 - 7  P3 its last 2 ms (its slice ends at 6 with nobody waiting: it keeps the core).
  // Every copy got 4 ms of core time, alone (P3 from 5 to 7) or beside another.
  auto s = exact_scenario(2);
  s.machine.placement = scenario::Placement::Shared;  // one shared queue (S1); per-CPU: placement_test.cpp
  add_jobs(s, "copy", 3, {native(4_ms)});
  const auto t = simulate_with(s, scenario::Executor::Processes);
  REQUIRE(t.jobs.size() == 3);
  CHECK(t.jobs[0].end == 4_ms);
  CHECK(t.jobs[1].end == 5_ms);
  CHECK(t.jobs[2].end == 7_ms);
  CHECK(t.end == 7_ms);
}

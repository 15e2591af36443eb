// Who runs next, as EEVDF decides (docs/model.md S2): the pick at a slice's end or when a
// core frees is the eligible thread with the earliest deadline, not the first queued.
// Hand-written timelines first; one core, no GIL, no costs, the 3 ms quantum as the slice.
#include <doctest/doctest.h>

#include "model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::test;
using trace::MarkKind;

namespace {

std::vector<Time> preempt_times(const trace::Trace& t) {
  std::vector<Time> at;
  for (const auto& m : marks_of(t, MarkKind::Preempt)) at.push_back(m->at);
  return at;
}

}  // namespace

TEST_CASE("a slice's end gives the core to the eligible thread with the earliest deadline, not the first queued") {
  // (virtual runtimes in ms)
  //   0   a takes the core: runtime 0, deadline 3. b waits, placed at 0, deadline 3. c sleeps.
  //   3   a's slice ends: its runtime 3 reached its deadline, renewed to 6; b runs. a is
  //       queued with runtime 3, deadline 6.
  //   4   c wakes with no lag: placed at the average of b (1) and a (3), runtime 2,
  //       deadline 5. b (1, the average being 2) is eligible and within its protected
  //       slice: c waits, queued after a.
  //   6   b's slice ends (runtime 3, deadline renewed to 6). Queued: a (3, deadline 6) and
  //       c (2, deadline 5); the average of the three is 8/3: a is not eligible, c is.
  //       c runs 6 - 7 (first come, first served would have run a, and c at 9 - 10).
  //   7   c ends. a and b, both at 3 with deadline 6, are both eligible: the first queued,
  //       a, runs 7 - 10; then the slices alternate: b 10 - 13, a 13 - 16, b 16 - 19,
  //       a 19 - 20 (its last ms), b 20 - 21.
  auto s = one_free_threaded_core();
  add_jobs(s, "a", 1, {cpu(10_ms)});
  add_jobs(s, "b", 1, {cpu(10_ms)});
  add_jobs(s, "c", 1, {sleep_for(4_ms), cpu(1_ms)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  CHECK(t.jobs[2].end == 7_ms);
  CHECK(t.jobs[0].end == 20_ms);
  CHECK(t.jobs[1].end == 21_ms);
  CHECK(preempt_times(t) == std::vector<Time>{3_ms, 6_ms, 10_ms, 13_ms, 16_ms, 19_ms});
}

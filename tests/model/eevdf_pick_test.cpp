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

TEST_CASE("a thread that blocks owing time stays on its queue, so one that ran less there keeps its lag") {
  // (virtual runtimes in ms)
  //   0   a takes the core: runtime 0, deadline 3. b waits, placed at 0, deadline 3.
  //   2   a sleeps with runtime 2 against the average of 1: it owes 1 ms, so it stays
  //       counted on the queue (DELAY_DEQUEUE). b runs, protected until its runtime 3.
  //   2.5 b sleeps with runtime 0.5 against the average of b and a, 1.25: lag +0.75. Nobody
  //       is left to run, so a leaves the queue now, with a lag of zero (its debt would
  //       be 1 ms less 0.25 paid).
  //   3   a wakes to an idle core: runtime 2, deadline 5.
  //   3.5 b wakes: placed at the average (a's 2.5) less its lag scaled by (1 + 1) / 1,
  //       runtime 1, deadline 4. The average is now 1.75: a is not eligible, b is, and it
  //       preempts at once, running 3.5 - 4.5. (Had a left at 2 with its debt forgiven, b
  //       would have slept with no lag and waited for a's slice, 6 - 7.)
  //   4.5 a, 0.5 ms of its 10 done, ends at 14.
  auto s = one_free_threaded_core();
  add_jobs(s, "a", 1, {cpu(2_ms), sleep_for(1_ms), cpu(10_ms)});
  add_jobs(s, "b", 1, {cpu(500_us), sleep_for(1_ms), cpu(1_ms)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  CHECK(t.jobs[1].end == 4500_us);
  CHECK(t.jobs[0].end == 14_ms);
  CHECK(preempt_times(t) == std::vector<Time>{3500_us});
}

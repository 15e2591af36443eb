// Wake-up preemption as EEVDF decides it (docs/model.md S3): a woken thread takes a busy
// core only when it would be picked there now. Hand-written timelines first; one core, no
// GIL, no costs, the 3 ms quantum as the slice.
#include <doctest/doctest.h>

#include "model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::test;
using trace::MarkKind;

TEST_CASE("a thread woken with no lag waits for the running thread's protected slice") {
  // (virtual runtimes in ms)
  //   0   the hog takes the core: runtime 0, deadline 3, protected until runtime 3. The UI
  //       thread sleeps at once, having waited for nothing: lag 0.
  //   1   the UI thread wakes, placed at the average (the hog's 1): both eligible, the
  //       hog's slice protected (RUN_TO_PARITY): it waits in the run queue.
  //   3   the hog's slice ends with the UI thread queued (S2): the UI thread runs 3 - 4.
  //   4   the hog takes the core back and ends at 21.
  auto s = one_free_threaded_core();
  add_jobs(s, "hog", 1, {cpu(20_ms)});
  add_jobs(s, "ui", 1, {sleep_for(1_ms), cpu(1_ms)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  CHECK(t.jobs[1].end == 4_ms);
  CHECK(t.jobs[0].end == 21_ms);
  const auto preempts = marks_of(t, MarkKind::Preempt);
  REQUIRE(preempts.size() == 1);
  CHECK(preempts[0]->at == 3_ms);
}

TEST_CASE("a thread woken with lag preempts a running thread it leaves ineligible") {
  // (virtual runtimes in ms)
  //   0   the hog takes the core (runtime 0, deadline 3); the UI thread waits in the queue,
  //       placed at the average: runtime 0, deadline 3.
  //   3   the hog's slice ends (S2): its runtime 3 reached its deadline, renewed to 6. The
  //       UI thread runs 3 - 4.
  //   4   the UI thread sleeps with runtime 1 against the average of 2: lag +1 (it waited
  //       while the hog ran). The hog takes the core, protected until its runtime 6.
  //   5   the UI thread wakes: placed at the average (the hog's 4) less its lag scaled by
  //       (1 + 1) / 1, runtime 2, deadline 5. The average is now 3: the hog, at 4, is no
  //       longer eligible, its protection does not count, and the UI thread is: it
  //       preempts at once and runs 5 - 6.
  //   6   the hog, 4 ms done, runs its last 16 ms to 22.
  auto s = one_free_threaded_core();
  add_jobs(s, "hog", 1, {cpu(20_ms)});
  add_jobs(s, "ui", 1, {cpu(1_ms), sleep_for(1_ms), cpu(1_ms)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  CHECK(t.jobs[1].end == 6_ms);
  CHECK(t.jobs[0].end == 22_ms);
  const auto preempts = marks_of(t, MarkKind::Preempt);
  REQUIRE(preempts.size() == 2);
  CHECK(preempts[0]->at == 3_ms);
  CHECK(preempts[1]->at == 5_ms);
}

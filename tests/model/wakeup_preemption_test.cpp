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

TEST_CASE("a GIL waiter signalled at a forced switch joins the queue at the signal and keeps its lag through its I/O") {
  // One core, the GIL, the 5 ms interval. (Virtual runtimes in ms.)
  //   0    the hog takes the core and the GIL: runtime 0, deadline 3. The I/O thread waits
  //        for the core, placed at 0, deadline 3.
  //   3    the hog's slice ends (runtime 3, deadline renewed to 6); the I/O thread takes the
  //        core, finds the GIL held and waits for it until 8, leaving with lag +1.5 (the
  //        average of 3 and 0 less its 0). The hog takes the core back.
  //   8    the drop request: the hog drops the GIL and signals the I/O thread, which joins
  //        the queue at once (try_to_wake_up), placed at the hog's 8 less 1.5 x 2: runtime
  //        5, deadline 8. The hog blocks on switch_cond with runtime 8 against the average
  //        of 6.5, owing 1.5 ms: it stays on the queue (DELAY_DEQUEUE). The I/O thread,
  //        awake at once (no wake-up cost here), takes the core and the GIL; the hog,
  //        released, comes back to the queue with its runtime 8 and waits for the core.
  //   8.5  after 0.5 ms of Python the I/O thread blocks in I/O with runtime 5.5 against the
  //        average of 6.75: lag +1.25. The hog takes the core and the GIL.
  //   9.5  the I/O thread is back: placed at the hog's 9 less 1.25 x 2, runtime 6.5. The
  //        hog, at 9 against the average of 7.75, is not eligible: the I/O thread preempts
  //        it, finds the GIL held and waits until 14.5, leaving with lag +1.25.
  //   14.5 the drop request: the same hand-off; the I/O thread runs its last 0.5 ms to 15,
  //        the hog its last 6 ms to 21.
  // (With the signalled thread joining only once awake and the debt forgiven, the hog
  // would leave the queue at 8 owing nothing and the I/O thread would come back from its
  // I/O level with it, waiting for the hog's slice, 8.5 - 11.5, before its GIL wait.)
  auto s = exact_scenario(1);
  add_jobs(s, "hog", 1, {cpu(20_ms)});
  add_jobs(s, "io", 1, {cpu(500_us), io(1_ms), cpu(500_us)});
  const auto t = simulate_with(s, scenario::Executor::Threads);
  CHECK(t.jobs[1].end == 15_ms);
  CHECK(t.jobs[0].end == 21_ms);
  std::vector<Time> preempts;
  for (const auto& m : marks_of(t, MarkKind::Preempt)) preempts.push_back(m->at);
  CHECK(preempts == std::vector<Time>{3_ms, 9500_us});
  std::vector<Time> forced;
  for (const auto& m : marks_of(t, MarkKind::ForcedSwitch)) forced.push_back(m->at);
  CHECK(forced == std::vector<Time>{8_ms, 14500_us});
}

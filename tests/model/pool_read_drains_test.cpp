// The worker handler's poll sees the result pipe as the result handler's read leaves it
// (docs/model.md P6, "The read drains the pipe"): a result read but not yet unpickled is no
// longer in the pipe, so the handler's level-triggered poll blocks, and the result handler,
// waiting for the GIL after its read, takes it. Before, the handler counted that result as
// unread until the result handler had the GIL back, and a result handler that lost every race
// for it never did: the run never ended.
#include <doctest/doctest.h>

#include "tests/model/model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::test;
using trace::SpanState;

namespace {

/// A pool (Pool(1) with one job by default) of jobs of 100 us on 4 cores, other costs zero but: a message 2 us a side
/// (its pipe call 1 us without the GIL, its pickling 1 us under it), the worker handler's
/// loop 12 us of Python (4 us a third, its system calls 1 us each), a dropper's signal of a
/// waiter on another core 2 us (G8b) and every wake-up 6 us (G8's draw held to one value).
/// A signalled waiter then wakes 6 us after the drop, where the dropper, back from its 2 us
/// signal and 1 us call, took the GIL again 3 us after it and holds it 4 us: every waiter
/// signalled at one of the loop's drops finds the GIL held.
scenario::Scenario pool_whose_waiter_loses_every_race(int jobs = 1, int workers = 1) {
  auto s = exact_scenario(4);
  s.costs.ipc_message = 4_us;
  s.costs.ipc_syscall = 1_us;
  s.costs.pool_wakeup = 12_us;
  s.costs.gil_mutex_signal = 2_us;
  s.costs.wake_poll_min = 6_us;
  s.costs.wake_poll_max = 6_us;
  add_jobs(s, "job", jobs, {cpu(100_us)});
  s.runs = {process_pool_run(workers)};
  return s;
}

}  // namespace

TEST_CASE("P6: the result handler's read drains the pipe, so the looping worker handler blocks and it gets the GIL") {
  // Hand timeline. The task handler pickles the task 0-1 us, drops the GIL for its write
  // (signalling the result handler, 1-3 us, its write 3-4): the result handler, waiting for
  // the GIL since 0, wakes at 7 and takes it, then blocks in its read. The worker reads the
  // task 4-5, unpickles 5-6, runs the job 6-106, pickles the result 106-107 and writes it
  // 107-108. At 108 both handlers wake: the worker handler takes the free GIL and runs the
  // first third of its loop 108-112; the result handler reads the result 108-109 without the
  // GIL and asks for it at 109. The pipe is empty from 109. The worker handler drops the GIL
  // for the change notifier's poll(0): its signal of the result handler 112-114, the call
  // 114-115, the GIL back at 115 and 4 us of Python; the result handler, woken at 118, finds
  // it held and waits again. The same for the waitpid: signal 119-121, call 121-122, Python
  // 122-126, the result handler at 125 finds the GIL held. Then the loop's top: signal
  // 126-128 and wait()'s poll 128-129, which finds the pipe empty, so the handler blocks
  // there without the GIL. The result handler, woken at 132, takes it and unpickles
  // 132-133; it hands the result to the main thread, woken 133-139, which takes the free GIL
  // and leaves the with-block: terminate()'s three sentinels, 1 us of pickling and a 1 us
  // write each, 139-145. The worker handler, woken by it at 145, runs its last loop: 4 us,
  // poll(0) 149-150, then the rest with no live worker, 150-158.
  auto s = pool_whose_waiter_loses_every_race();
  // Before, the worker handler kept looping after 129 (the result counted unread until the
  // result handler had the GIL back) and the result handler lost every race: the run went
  // past any limit. A limit of 10,000 events leaves this run's few hundred a wide margin.
  const auto t = model::simulate(s, s.runs[0], nullptr, 10'000);
  check_pieces(pieces(t, "worker handler"), {{SpanState::Native, 0_us, 1_us},
                                             {SpanState::Running, 108_us, 112_us},
                                             {SpanState::Native, 112_us, 115_us},
                                             {SpanState::Running, 115_us, 119_us},
                                             {SpanState::Native, 119_us, 122_us},
                                             {SpanState::Running, 122_us, 126_us},
                                             {SpanState::Native, 126_us, 129_us},
                                             {SpanState::Running, 145_us, 149_us},
                                             {SpanState::Native, 149_us, 150_us},
                                             {SpanState::Running, 150_us, 158_us}});
  check_pieces(pieces(t, "result handler"), {{SpanState::WaitingGil, 0_us, 7_us},
                                             {SpanState::Native, 108_us, 109_us},
                                             {SpanState::WaitingGil, 109_us, 132_us},
                                             {SpanState::Pickling, 132_us, 133_us}});
  CHECK(t.end == 158_us);  // the worker handler's end, the run's last thread
  check_pieces(pieces(t, "main", 140_us), {{SpanState::Runnable, 133_us, 139_us}, {SpanState::Pickling, 139_us, 140_us}});
}

TEST_CASE("P6: with a second result still in the pipe the worker handler loops on, and the error says why") {
  // The same pool with two workers and two jobs: both results are written at 108 us, the
  // result handler reads the first and waits for the GIL while the second keeps the worker
  // handler's poll returning, as CPython's would. Every race goes as in the case above (each
  // wake-up 6 us after a drop, the GIL back 3 us after it for 4 us), so the result handler
  // never unpickles a result, and the run goes past its limit. The error names the race.
  auto s = pool_whose_waiter_loses_every_race(2, 2);
  try {
    model::simulate(s, s.runs[0], nullptr, 10'000);
    FAIL("expected WorkLimitExceeded");
  } catch (const model::WorkLimitExceeded& e) {
    const std::string what = e.what();
    CHECK(what.find("with 2 of 2 jobs finished") != std::string::npos);
    CHECK(what.find("it looks stuck") != std::string::npos);
    CHECK(what.find("the parent's result handler losing every race for the parent's GIL to its worker handler") !=
          std::string::npos);
    CHECK(what.find("docs/model.md P6, The read drains the pipe") != std::string::npos);
  }
  // With the one wake-up 9 us, the result handler, signalled at the drop for poll(0) at 112
  // us, runs at 121, when the worker handler's two waitpids (no Python between them, 119-121)
  // leave the GIL free, and takes it: the races come out otherwise and the run ends.
  s.costs.wake_poll_min = 9_us;
  s.costs.wake_poll_max = 9_us;
  CHECK_NOTHROW(model::simulate(s, s.runs[0], nullptr, 10'000));
}

// Pool()'s handler threads and the first task's way (docs/model.md P4b): each Thread.start()
// in Pool() waits for the new thread's bootstrap, the new thread and the starter each woken
// as a blocked thread is (G8); the worker handler's first loop runs cold under the GIL; the
// handlers block until there is work, and the first task wakes the task handler, the
// worker, the result handler and the main thread in turn.
#include <doctest/doctest.h>

#include "tests/model/model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::test;
using trace::SpanState;

namespace {

/// Pool(1) with fork on 4 cores, one job of 100 us (imap_unordered, chunksize 1), every other
/// cost zero but: thread_start 20 us, thread_bootstrap 10 us, pool_setup 100 us, the worker
/// handler's first loop 50 us, the map() call 30 us, and every wake-up 5 us (G8's draw
/// [5, 5] us; a halted core's law adds nothing per doubling).
scenario::Scenario pool_start() {
  auto s = exact_scenario(4);
  s.costs.thread_start = 20_us;
  s.costs.thread_bootstrap = 10_us;
  s.costs.pool_setup = 100_us;
  s.costs.pool_first_loop = 50_us;
  s.costs.pool_map_call = 30_us;
  s.costs.wake_poll_min = 5_us;
  s.costs.wake_poll_max = 5_us;
  add_jobs(s, "job", 1, {cpu(100_us)});
  auto run = process_pool_run(1);
  run.method = scenario::PoolMethod::ImapUnordered;
  s.runs = {run};
  return s;
}

}  // namespace

TEST_CASE("Pool()'s Thread.start() waits for each handler's bootstrap, behind the worker handler's cold first loop") {
  // Hand timeline (pool_start()): the fork costs nothing, so the worker waits for its task from
  // 0. The main thread pays pool_setup less three thread_starts, 0-40, then the worker
  // handler's thread_start, 40-60, and waits without the GIL. The worker handler, woken on
  // an idle core 60-65, takes the free GIL, runs its bootstrap 65-75 (which lets start()
  // return) and its cold first loop 75-125 (pool_first_loop), under the GIL. The main thread,
  // woken 75-80, waits for the GIL until 130: the worker handler drops it at 125 to block in
  // its poll, and the signalled main thread wakes 125-130. The task handler's start: 130-150,
  // the thread woken 150-155, its bootstrap 155-165, the main thread woken 165-170 (the task
  // handler dropped the GIL at 165 to block on its queue). The result handler's: 170-190,
  // 190-195, 195-205, and 205-210. Pool() has returned; imap_unordered() costs 210-240.
  auto s = pool_start();
  const auto t = model::simulate(s, s.runs[0]);
  check_pieces(pieces(t, "main", 240_us), {{SpanState::Starting, 0_us, 60_us},
                                          {SpanState::Runnable, 75_us, 80_us},
                                          {SpanState::WaitingGil, 80_us, 130_us},
                                          {SpanState::Starting, 130_us, 150_us},
                                          {SpanState::Runnable, 165_us, 170_us},
                                          {SpanState::Starting, 170_us, 190_us},
                                          {SpanState::Runnable, 205_us, 210_us},
                                          {SpanState::Running, 210_us, 240_us}});
  check_pieces(pieces(t, "worker handler", 240_us), {{SpanState::Runnable, 60_us, 65_us},
                                                    {SpanState::Starting, 65_us, 75_us},
                                                    {SpanState::Running, 75_us, 125_us}});
  check_pieces(pieces(t, "task handler", 240_us), {{SpanState::Runnable, 150_us, 155_us},
                                                  {SpanState::Starting, 155_us, 165_us}});
  check_pieces(pieces(t, "result handler", 240_us), {{SpanState::Runnable, 190_us, 195_us},
                                                    {SpanState::Starting, 195_us, 205_us}});
}

TEST_CASE("the first task wakes the task handler, the worker, the result handler and the main thread in turn") {
  // Hand timeline (pool_start()), after imap_unordered() put the task at 240 and the main
  // thread blocked in next(): the task handler, blocked on its queue, wakes 240-245 and
  // sends the task (no cost); the worker, blocked in its read, wakes 245-250 and runs the job
  // 250-350; its result wakes the result handler 350-355 (and the worker handler, polling
  // the result pipe, 350-355), which reads it; the main thread, woken 355-360, has its GIL
  // back at 360: next() returns. Before the rule each handler ran at once and the first
  // result came 100 us after the job began.
  auto s = pool_start();
  const auto t = model::simulate(s, s.runs[0]);
  check_pieces(pieces(t, "task handler"), {{SpanState::Runnable, 150_us, 155_us},
                                          {SpanState::Starting, 155_us, 165_us},
                                          {SpanState::Runnable, 240_us, 245_us}});
  check_pieces(pieces(t, "worker 1"), {{SpanState::Runnable, 245_us, 250_us}, {SpanState::Running, 250_us, 350_us}});
  // Its GIL only once it runs (G8a): none while it waits for its core.
  check_holders(holders(t, "GIL (worker 1)"), {{250_us, 350_us, "worker 1"}}, true);
  check_pieces(pieces(t, "result handler"), {{SpanState::Runnable, 190_us, 195_us},
                                            {SpanState::Starting, 195_us, 205_us},
                                            {SpanState::Runnable, 350_us, 355_us}});
  check_pieces(pieces(t, "main", 360_us), {{SpanState::Starting, 0_us, 60_us},
                                          {SpanState::Runnable, 75_us, 80_us},
                                          {SpanState::WaitingGil, 80_us, 130_us},
                                          {SpanState::Starting, 130_us, 150_us},
                                          {SpanState::Runnable, 165_us, 170_us},
                                          {SpanState::Starting, 170_us, 190_us},
                                          {SpanState::Runnable, 205_us, 210_us},
                                          {SpanState::Running, 210_us, 240_us},
                                          {SpanState::Runnable, 355_us, 360_us}});
}

TEST_CASE("thread_bootstrap = 0 turns P4b off: Pool() starts its handler threads without waiting") {
  // As T1a: the three starts follow pool_setup's rest at once, 0-100, and the task handler
  // finds the tasks there instead of blocking on its queue.
  auto s = pool_start();
  s.costs.thread_bootstrap = 0_ns;
  const auto t = model::simulate(s, s.runs[0]);
  const auto main = pieces(t, "main");
  REQUIRE(!main.empty());
  CHECK(main.front().state == SpanState::Starting);
  CHECK(main.front().begin == 0_us);
  CHECK(main.front().end == 100_us);
  CHECK(time_in(lane_named(t, "task handler"), SpanState::Runnable) == Time::zero());
}

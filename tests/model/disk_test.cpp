// Disk is not network: a plain file read inside a coroutine blocks the event loop, because
// asyncio cannot await a file; offloaded, it waits on an executor thread (docs/model.md, A5).
#include <doctest/doctest.h>

#include "tests/model/model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::test;
using scenario::Executor;
using scenario::StepKind;

namespace {
scenario::Step disk(Time d) { return step(StepKind::Disk, d); }
}  // namespace

TEST_CASE("a disk wait blocks the asyncio loop") {
  // Hand timeline, one core, costs zero, two tasks each: cpu 1 ms, then a 10 ms wait.
  //   network (io): 0-1 task 1 runs, awaits until 11; 1-2 task 2 runs, awaits until 12;
  //                 the loop finishes them at 11 and 12 ms.
  //   disk:         0-1 task 1 runs, 1-11 its file read holds the loop (Stalled);
  //                 11-12 task 2 runs, 12-22 its read holds the loop: both reads in a row.
  auto s = exact_scenario(1);
  add_jobs(s, "net", 2, {cpu(1_ms), io(10_ms)});
  const auto net = simulate_with(s, Executor::Asyncio);
  CHECK(net.jobs[0].end == 11_ms);
  CHECK(net.jobs[1].end == 12_ms);

  s.jobs.clear();
  add_jobs(s, "file", 2, {cpu(1_ms), disk(10_ms)});
  const auto file = simulate_with(s, Executor::Asyncio);
  CHECK(file.jobs[0].end == 11_ms);
  CHECK(file.jobs[1].end == 22_ms);
  const auto stalls = marks_of(file, trace::MarkKind::LoopStall);
  REQUIRE(stalls.size() == 2);
  CHECK(stalls[0]->at == 1_ms);
  CHECK(stalls[0]->value == (10_ms).ns());
  CHECK(stalls[1]->at == 12_ms);
  CHECK(time_in(lane_named(file, "task 2"), trace::SpanState::Stalled) == 10_ms);
}

TEST_CASE("a disk wait offloaded with to_thread lets the loop go on") {
  // 0-1 task 1 runs and starts executor thread asyncio_0, which needs the one core to take
  // the GIL before its first bytecode (G8a): the loop keeps both 1-2 to run task 2, which
  // starts asyncio_1. At 2 the loop waits in select (no GIL, no core): both threads read
  // 2-12, side by side, and each result comes back through the loop at 12. Inline, the
  // same reads took 1-11 and 12-22.
  auto s = exact_scenario(1);
  add_jobs(s, "file", 2, {cpu(1_ms), scenario::Step{StepKind::Offload, scenario::Duration::fixed(10_ms), StepKind::Disk}});
  const auto t = simulate_with(s, Executor::Asyncio);
  CHECK(time_in(lane_named(t, "asyncio_0"), trace::SpanState::Runnable) == 1_ms);
  CHECK(time_in(lane_named(t, "asyncio_0"), trace::SpanState::WaitingGil) == 0_ms);
  CHECK(time_in(lane_named(t, "asyncio_0"), trace::SpanState::BlockedIo) == 10_ms);
  CHECK(time_in(lane_named(t, "asyncio_1"), trace::SpanState::BlockedIo) == 10_ms);
  CHECK(t.jobs[0].end == 12_ms);
  CHECK(t.jobs[1].end == 12_ms);
  CHECK(marks_of(t, trace::MarkKind::LoopStall).empty());
}

TEST_CASE("outside asyncio a disk wait is a blocking call that drops the GIL") {
  // Two threads on one core, costs zero: each reads for 10 ms; the reads overlap.
  auto s = exact_scenario(1);
  add_jobs(s, "file", 2, {disk(10_ms)});
  const auto t = simulate_with(s, Executor::Threads);
  CHECK(t.jobs[0].end == 10_ms);
  CHECK(t.jobs[1].end == 10_ms);
  CHECK(time_in(lane_named(t, "T1"), trace::SpanState::BlockedIo) == 10_ms);
}

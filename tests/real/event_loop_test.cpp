// asyncio for real: tasks on one loop thread, awaited waits overlap, a blocking call stalls
// every task, offloaded work runs on threads that share the loop's GIL.
#include <doctest/doctest.h>

#include "real_test_support.hpp"
#include "sim/real/execute.hpp"
#include "tests/lane_lookup.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::real::testing;
using scenario::Executor;
using scenario::StepKind;
using trace::LaneKind;
using trace::SpanState;

TEST_CASE("asyncio runs every task on the loop thread and overlaps their awaits") {
  auto s = make_scenario({make_job("fetch", 20, {io(80_ms), cpu(2_ms), sleep(20_ms)})});
  const Pace pace;
  const auto t = real::execute(s, make_run(Executor::Asyncio, "loop"));
  check_invariants(t);
  INFO(pace.figures());
  CHECK(t.executor == "asyncio");
  CHECK(lanes_of(t, LaneKind::Task).size() == 20);
  CHECK(lanes_of(t, LaneKind::Thread).size() == 1);  // just the loop: no executor threads
  for (const auto& job : t.jobs) CHECK(t.lanes[job.lane].kind == LaneKind::Task);
  // Twenty 100 ms waits overlap; the 40 ms of Python run one at a time on the loop, none
  // before its task's 80 ms read ends, and the last one's 20 ms sleep follows it.
  CHECK(t.end >= 100_ms + pace.least(20 * 2_ms));
  CHECK(t.cpu_check.got >= pace.least(20 * 2_ms));  // not stretched by other programs
  CHECK(most_at_once(t, LaneKind::Task, SpanState::Awaiting) >= 2);  // whatever the machine's pace
  CHECK(time_in(t, LaneKind::Task, SpanState::Awaiting) >= 20 * 100_ms);
  CHECK(time_in(t, LaneKind::Task, SpanState::Ready) > Time{0});
  CHECK(time_in(t, LaneKind::Thread, SpanState::Sleeping) > Time{0});
}

TEST_CASE("a blocking call in one coroutine delays every other task") {
  auto s = make_scenario({make_job("blocker", 1, {block(200_ms)}), make_job("beat", 5, {sleep(10_ms), cpu(1_ms)})});
  const auto t = real::execute(s, make_run(Executor::Asyncio));
  check_invariants(t);
  REQUIRE(t.jobs.size() == 6);
  // The blocker runs first (FIFO) and freezes the loop: no heartbeat finishes before it ends.
  for (std::size_t j = 1; j < t.jobs.size(); ++j) CHECK(t.jobs[j].end >= 200_ms);
  CHECK(count_marks(t, trace::MarkKind::LoopStall) == 1);
  CHECK(time_in(t, LaneKind::Thread, SpanState::Stalled) >= 200_ms);
  CHECK(time_in(t, LaneKind::Task, SpanState::Stalled) >= 200_ms);
}

TEST_CASE("offloaded work runs on executor threads that share the loop's GIL") {
  auto s = make_scenario({make_job("to_thread", 4, {offload(StepKind::Io, 60_ms), cpu(2_ms)}),
                          make_job("hash", 2, {offload(StepKind::Cpu, 20_ms)})});
  auto run = make_run(Executor::Asyncio);
  run.workers = 3;
  const auto t = real::execute(s, run);
  check_invariants(t);
  const auto threads = lanes_of(t, LaneKind::Thread);
  CHECK(threads.size() >= 2);
  CHECK(threads.size() <= 4);  // the loop + at most three executor threads
  // The executor threads did the offloaded I/O and held the one GIL for the hashing.
  CHECK(time_in(t, LaneKind::Thread, SpanState::BlockedIo) >= 4 * 60_ms);
  CHECK(t.end >= 100_ms);
  // Side by side on the executor threads, whatever the machine's pace; three at most.
  CHECK(most_at_once(t, LaneKind::Thread, SpanState::BlockedIo) >= 2);
  CHECK(most_at_once(t, LaneKind::Thread, SpanState::BlockedIo) <= 3);
  CHECK(count_marks(t, trace::MarkKind::Spawn) == static_cast<int>(threads.size()) - 1);
}

TEST_CASE("the loop starts an executor thread as Thread.start() does, waiting for it to take the GIL (T1a)") {
  // Each task offloads at once: without the wait, the loop started all three threads holding
  // the GIL, before any of them had run.
  // (A thread that is done by the time the loop offloads again takes that work instead of a
  // new thread: a loaded machine may start only two.)
  auto s = make_scenario({make_job("hash", 3, {offload(StepKind::Cpu, 30_ms)})});
  auto run = make_run(Executor::Asyncio);
  run.workers = 3;
  const auto t = real::execute(s, run);
  check_invariants(t);
  REQUIRE(test::find_lane(t, "asyncio_1") != nullptr);
  for (int k = 1; test::find_lane(t, "asyncio_" + std::to_string(k)) != nullptr; ++k) {
    const auto& before = test::lane_named(t, "asyncio_" + std::to_string(k - 1));
    const auto& next = test::lane_named(t, "asyncio_" + std::to_string(k));
    CAPTURE(next.name);
    REQUIRE(!next.spans.empty());
    Time took = Time::max();  // the earlier thread's first moment with the GIL
    for (const auto& span : before.spans) {
      if (span.state == SpanState::Running) {
        took = span.begin;
        break;
      }
    }
    CHECK(took <= next.spans.begin()->begin);
  }
}

// Real runs on threads: the GIL's invariants, contention, and overlapping waits.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include "real_test_support.hpp"
#include "sim/real/execute.hpp"
#include "tests/lane_lookup.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::real::testing;
using scenario::Executor;
using trace::LaneKind;
using trace::SpanState;

TEST_CASE("a sequential run does every job in order on the main thread, holding the GIL") {
  auto s = make_scenario({make_job("mix", 3, {cpu(5_ms), io(3_ms), native(2_ms), sleep(2_ms)})});
  const Pace pace;
  const auto t = real::execute(s, make_run(Executor::Sequential, "seq"));
  check_invariants(t);
  INFO(pace.figures());
  CHECK(t.run_name == "seq");
  CHECK(t.executor == "sequential");
  CHECK(t.gil_mode == "new");
  REQUIRE(t.jobs.size() == 3);
  CHECK(t.jobs[0].name == "mix 1");
  CHECK(t.jobs[0].end <= t.jobs[1].begin);
  CHECK(t.jobs[1].end <= t.jobs[2].begin);
  // Each job needs at least its 12 ms; nothing overlaps. The waits are the clock's; the CPU
  // work is bounded at the pace measured around the run.
  CHECK(t.end >= 3 * (3_ms + 2_ms) + pace.least(3 * (5_ms + 2_ms)));
  CHECK(time_in(t, LaneKind::Thread, SpanState::Running) >= pace.least(3 * 5_ms));
  CHECK(time_in(t, LaneKind::Thread, SpanState::BlockedIo) >= 9_ms);
  CHECK(time_in(t, LaneKind::Thread, SpanState::Native) >= pace.least(3 * 2_ms));
  // Those are wall times, which other programs stretch; the CPU time the run got is not, and
  // it holds the busy loop's.
  CHECK(t.cpu_check.got >= pace.least(3 * (5_ms + 2_ms)));
  CHECK(time_in(t, LaneKind::Thread, SpanState::Sleeping) >= 6_ms);
  CHECK(count_marks(t, trace::MarkKind::GilRequest) == 0);
}

TEST_CASE("CPU-bound threads on the new GIL take turns and are no faster than one thread") {
  auto s = make_scenario({make_job("crunch", 3, {cpu(60_ms)})});
  s.python.switch_interval = 5_ms;
  const Pace pace;
  const auto threads = real::execute(s, make_run(Executor::Threads));
  check_invariants(threads);
  INFO(pace.figures());
  INFO("the run took " << threads.end.ms() << " ms");
  CHECK(lanes_of(threads, LaneKind::Thread).size() == 4);  // main + T1..T3
  // One GIL: Held spans never overlap (checked above), so the threads' Python ran one at a
  // time and the run lasted at least as long as all of it: no faster than one thread doing
  // it all, at the pace measured around the run. (Not a sequential run's wall time: the
  // CPU's pace can rise after the busy loop is calibrated, and did once on a fresh machine,
  // where the sequential run took under 162 ms of its 180; and at load 10 here a sequential
  // run of the same iterations took 955 ms where the threads took 431.)
  const Time running = time_in(threads, LaneKind::Thread, SpanState::Running);
  CHECK(threads.end >= running);
  CHECK(running >= pace.least(180_ms));
  CHECK(threads.cpu_check.got >= pace.least(180_ms));  // the work was done, however stretched
  // The waiters asked for the GIL and the holder was forced to drop it, many times.
  CHECK(count_marks(threads, trace::MarkKind::DropRequest) >= 5);
  CHECK(count_marks(threads, trace::MarkKind::ForcedSwitch) >= 5);
  // While one runs, the other two mostly wait: far more waiting than a third of the running.
  CHECK(time_in(threads, LaneKind::Thread, SpanState::WaitingGil) >= running / 3);
}

TEST_CASE("I/O-bound threads overlap their waits") {
  auto s = make_scenario({make_job("download", 8, {io(100_ms), cpu(1_ms)})});
  const auto t = real::execute(s, make_run(Executor::Threads));
  check_invariants(t);
  // Structure, whatever the machine's pace: the waits went on at the same time (one after
  // another, as a loaded machine's makespan could suggest, no two would).
  CHECK(t.end >= 100_ms);
  CHECK(most_at_once(t, LaneKind::Thread, SpanState::BlockedIo) >= 2);
}

TEST_CASE("a thread pool of two runs four I/O jobs in two rounds") {
  auto s = make_scenario({make_job("download", 4, {io(60_ms)})});
  auto run = make_run(Executor::ThreadPool);
  run.workers = 2;
  const auto t = real::execute(s, run);
  check_invariants(t);
  CHECK(lanes_of(t, LaneKind::Thread).size() == 3);  // main + two workers
  CHECK(t.end >= 120_ms);
  // Two at a time, never more: the two workers waited side by side (which worker took which
  // job, and so the makespan, depends on the machine's pace).
  CHECK(most_at_once(t, LaneKind::Thread, SpanState::BlockedIo) == 2);
}

TEST_CASE("the old GIL and no GIL run the same work with the same invariants") {
  auto s = make_scenario({make_job("crunch", 2, {cpu(30_ms), io(5_ms), cpu(10_ms)})});
  const Pace pace;
  INFO(pace.figures());
  SUBCASE("old GIL: release and reacquire, no drop requests") {
    s.python.gil = scenario::GilMode::Old;
    const auto t = real::execute(s, make_run(Executor::Threads));
    check_invariants(t);
    CHECK(t.gil_mode == "old");
    CHECK(count_marks(t, trace::MarkKind::DropRequest) == 0);
    CHECK(count_marks(t, trace::MarkKind::ForcedSwitch) == 0);
    // 80 ms of Python on one GIL, one thread at a time.
    CHECK(t.end >= time_in(t, LaneKind::Thread, SpanState::Running));
    CHECK(t.end >= pace.least(2 * 40_ms));
    CHECK(t.cpu_check.got >= pace.least(2 * 40_ms));
  }
  SUBCASE("no GIL: no GIL lane, and the two threads run side by side") {
    s.python.gil = scenario::GilMode::None;
    s.python.free_threading_overhead = 0.0;
    const auto t = real::execute(s, make_run(Executor::Threads));
    check_invariants(t);
    CHECK(t.gil_mode == "none");
    CHECK(lanes_of(t, LaneKind::Gil).empty());
    CHECK(t.end >= 5_ms + pace.least(40_ms));  // each thread's own job, side by side
    CHECK(t.cpu_check.got >= pace.least(2 * 40_ms));
  }
}

TEST_CASE("a scenario too big to run for real is refused with the limit") {
  auto s = make_scenario({make_job("many", 300, {io(1_ms)})});
  const auto why = real::why_not_runnable(s, make_run(Executor::Threads));
  REQUIRE(why);
  CHECK(why->find("300 threads") != std::string::npos);
  CHECK(why->find("256") != std::string::npos);
  CHECK_FALSE(real::why_not_runnable(s, make_run(Executor::Asyncio)));
  auto heavy = make_scenario({make_job("heavy", 100, {cpu(1_s)})});
  CHECK(real::why_not_runnable(heavy, make_run(Executor::Sequential)));
  auto pool = make_run(Executor::ProcessPool);
  pool.workers = 1000;
  CHECK(real::why_not_runnable(s, pool)->find("64") != std::string::npos);
  try {
    real::execute(s, make_run(Executor::Threads));
    FAIL("expected a refusal");
  } catch (const real::RealRunError& e) {
    CHECK(e.reason() == real::RealRunError::Reason::NotRunnable);
  }
}

namespace {

/// When the lane's first span in `state` begins (Time::max() when it has none).
Time first_in(const trace::Lane& lane, SpanState state) {
  for (const auto& span : lane.spans) {
    if (span.state == state) return span.begin;
  }
  return Time::max();
}

/// T1a (docs/model.md): each start() returned only once the thread it started had taken the
/// GIL (its bootstrap), so the next thread was started after that; `name` gives the lanes.
void check_each_start_waited(const trace::Trace& t, const char* name, int first, int count) {
  for (int k = first + 1; k < first + count; ++k) {
    const trace::Lane& before = test::lane_named(t, fmt::format(fmt::runtime(name), k - 1));
    const trace::Lane& next = test::lane_named(t, fmt::format(fmt::runtime(name), k));
    CAPTURE(next.name);
    REQUIRE(!next.spans.empty());
    CHECK(first_in(before, SpanState::Running) <= next.spans.begin()->begin);  // its first span: Starting
  }
}

}  // namespace

TEST_CASE("Thread.start() returns once the new thread has taken the GIL, as the model's T1a says") {
  // Without the wait, the main thread started every thread holding the GIL, none of them
  // running yet (lesson 14's threads then all competed for the GIL at once, where the model
  // has each started thread compute a switch interval before the next one starts).
  auto s = make_scenario({make_job("crunch", 3, {cpu(20_ms)})});
  s.python.switch_interval = 2_ms;
  SUBCASE("threads") {
    const auto t = real::execute(s, make_run(Executor::Threads));
    check_invariants(t);
    check_each_start_waited(t, "T{}", 1, 3);
    // The started thread computes: main got the GIL back by asking for it (G2).
    CHECK(first_in(test::lane_named(t, "main"), SpanState::WaitingGil) < Time::max());
  }
  SUBCASE("thread pool") {
    auto run = make_run(Executor::ThreadPool);
    run.workers = 3;
    const auto t = real::execute(s, run);
    check_invariants(t);
    check_each_start_waited(t, "worker {}", 1, 3);
  }
}

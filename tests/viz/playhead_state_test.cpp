// The state at the playhead: holder, waiters and how long they waited, drop requests,
// cores, the asyncio ready queue and timers, queued work.
#include <doctest/doctest.h>

#include <algorithm>

#include "fake_runs.hpp"
#include "lesson_runs.hpp"
#include "viz/app_state.hpp"
#include "viz/playhead_state.hpp"
#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::viz;

namespace {
constexpr trace::LaneId kT1 = 3, kT2 = 4;

PlayheadState at(const trace::Trace& t, Time when) { return state_at(t, PlayheadIndex::build(t), when); }

/// A run of one process with a lock, L, and two threads.
struct LockAndTwoThreads {
  trace::TraceBuilder b{"threads", "threads", "new", trace::Origin::Simulated, 1, 5_ms};
  trace::ProcessId p = b.add_process("main", true);
  trace::LaneId lock = b.add_lane("lock L", trace::LaneKind::Lock, p);
  trace::LaneId t1 = b.add_lane("T1", trace::LaneKind::Thread, p);
  trace::LaneId t2 = b.add_lane("T2", trace::LaneKind::Thread, p);
};
}  // namespace

TEST_CASE("T1 holds the GIL while T2 waits, and the wait grows with time") {
  const trace::Trace t = viz::testing::two_threads();
  const PlayheadState s = at(t, 3_ms);
  REQUIRE(s.processes.size() == 1);
  const ProcessAtPlayhead& p = s.processes[0];
  CHECK(p.holder == kT1);
  CHECK(p.held_since == 0_ms);
  REQUIRE(p.waiters.size() == 1);
  CHECK(p.waiters[0].lane == kT2);
  CHECK(p.waiters[0].since == 1_ms);
  CHECK(p.waiters[0].waited == 2_ms);
  CHECK(!p.drop_requested);
}

TEST_CASE("a drop request is pending from the request until the GIL changes hands") {
  const trace::Trace t = viz::testing::two_threads();
  SUBCASE("just before the request") { CHECK(!at(t, 5999_us).processes[0].drop_requested); }
  SUBCASE("after it") {
    const auto p = at(t, 6200_us).processes[0];
    CHECK(p.drop_requested);
    CHECK(p.drop_requester == kT2);
    CHECK(p.drop_requested_at == 6_ms);
  }
  SUBCASE("cleared by the switch") {
    const auto p = at(t, 6500_us).processes[0];
    CHECK(p.holder == kT2);
    CHECK(!p.drop_requested);
    REQUIRE(p.waiters.size() == 1);
    CHECK(p.waiters[0].lane == kT1);
    CHECK(p.waiters[0].waited == 0_ms);
  }
  SUBCASE("the second request, made by T1") {
    const auto p = at(t, 11800_us).processes[0];
    CHECK(p.drop_requested);
    CHECK(p.drop_requester == kT1);
  }
}

TEST_CASE("cores say which thread runs, or that they are idle") {
  const trace::Trace t = viz::testing::two_threads();
  const PlayheadState s = at(t, 8_ms);
  REQUIRE(s.cores.size() == 2);
  CHECK(s.cores[0].thread == trace::kNone);
  CHECK(s.cores[1].thread == kT2);
  CHECK(at(t, 13_ms).cores[0].thread == kT1);
}

TEST_CASE("after the last release nobody holds the GIL") {
  const trace::Trace t = viz::testing::two_threads();
  const PlayheadState s = at(t, 16_ms);
  CHECK(s.processes[0].holder == trace::kNone);
  CHECK(s.processes[0].waiters.empty());
  CHECK(s.jobs.done == 1);
  CHECK(s.jobs.running == 1);
  CHECK(s.jobs.waiting == 0);
}

TEST_CASE("job counts follow the playhead") {
  const trace::Trace t = viz::testing::two_threads();
  CHECK(at(t, 500_us).jobs.waiting == 1);
  CHECK(at(t, 500_us).jobs.running == 1);
  CHECK(at(t, 20_ms).jobs.done == 2);
}

TEST_CASE("the asyncio ready queue is first come, first served; timers soonest first") {
  const trace::Trace t = viz::testing::asyncio_run();
  const trace::LaneId task1 = 3, task2 = 4, task3 = 5;
  SUBCASE("at the start") {
    const PlayheadState s = at(t, 500_us);
    REQUIRE(s.loops.size() == 1);
    CHECK(s.loops[0].running == task1);
    REQUIRE(s.loops[0].ready.size() == 2);
    CHECK(s.loops[0].ready[0].task == task2);
    CHECK(s.loops[0].ready[1].task == task3);
    CHECK(s.loops[0].timers.empty());
  }
  SUBCASE("task 3 is alone in the queue once task 2 runs") {
    const PlayheadState s = at(t, 1500_us);
    CHECK(s.loops[0].running == task2);
    REQUIRE(s.loops[0].ready.size() == 1);
    CHECK(s.loops[0].ready[0].task == task3);
    CHECK(s.loops[0].ready[0].since == 0_ms);
  }
  SUBCASE("everyone awaits: one timer, two I/O waits") {
    const PlayheadState s = at(t, 3500_us);
    CHECK(s.loops[0].running == trace::kNone);
    CHECK(s.loops[0].ready.empty());
    REQUIRE(s.loops[0].timers.size() == 1);
    CHECK(s.loops[0].timers[0].task == task1);
    CHECK(s.loops[0].timers[0].until == 10_ms);
    CHECK(s.loops[0].timers[0].what == "sleep 9 ms");
    REQUIRE(s.loops[0].awaiting.size() == 2);
    CHECK(s.loops[0].awaiting[0].task == task2);
    CHECK(s.loops[0].awaiting[0].until == 8_ms);
  }
}

TEST_CASE("pool chunks: sent to the queue, still to send, and jobs waiting in the queue") {
  trace::TraceBuilder b("pool", "process_pool", "new", trace::Origin::Simulated, 2, 5_ms);
  const auto main = b.add_process("main", true);
  const auto feeder = b.add_lane("main", trace::LaneKind::Thread, main);
  const auto w1 = b.add_lane("worker 1", trace::LaneKind::Thread, b.add_process("worker 1", true));
  const auto tpl = b.add_template("crunch", {"cpu 1 ms"});
  std::vector<std::uint32_t> jobs;
  for (int i = 0; i < 5; ++i) jobs.push_back(b.add_job("crunch", tpl));
  b.mark(1_ms, trace::MarkKind::Dispatch, feeder, trace::kNone, 2);
  b.mark(5_ms, trace::MarkKind::Dispatch, feeder, trace::kNone, 2);
  b.mark(9_ms, trace::MarkKind::Dispatch, feeder, trace::kNone, 1);
  b.job_started(jobs[0], w1, 2_ms);
  b.job_finished(jobs[0], 3_ms);
  b.job_started(jobs[1], w1, 3_ms);
  b.job_finished(jobs[1], 6_ms);
  const trace::Trace t = b.finish(10_ms);
  CHECK(at(t, 0_ms).jobs.chunks_unsent == 3);
  CHECK(at(t, 0_ms).jobs.jobs_queued == 0);
  CHECK(at(t, 1_ms).jobs.jobs_queued == 2);   // both jobs of the first chunk wait
  CHECK(at(t, 2_ms).jobs.jobs_queued == 1);   // the worker took one
  CHECK(at(t, 5_ms).jobs.chunks_sent == 2);
  CHECK(at(t, 5_ms).jobs.chunks_unsent == 1);
  CHECK(at(t, 5_ms).jobs.jobs_queued == 2);   // 4 sent, 2 started
  CHECK(at(t, 10_ms).jobs.chunks_unsent == 0);
}

TEST_CASE("a lock shows its holder and the threads waiting for it, longest first") {
  LockAndTwoThreads run;
  auto& [b, p, lock, t1, t2] = run;
  const auto t3 = b.add_lane("T3", trace::LaneKind::Thread, p);
  b.set_state(lock, 0_ms, trace::SpanState::Held, t1);
  b.set_state(t1, 0_ms, trace::SpanState::BlockedIo);
  b.set_state(t3, 1_ms, trace::SpanState::WaitingLock);
  b.mark(1_ms, trace::MarkKind::LockWait, t3, lock, t1);
  b.set_state(t2, 2_ms, trace::SpanState::WaitingLock);
  b.mark(2_ms, trace::MarkKind::LockWait, t2, lock, t1);
  b.clear_state(lock, 10_ms);
  const trace::Trace t = b.finish(10_ms);
  const PlayheadState s = at(t, 5_ms);
  REQUIRE(s.locks.size() == 1);
  CHECK(s.locks[0].lock == lock);
  CHECK(s.locks[0].holder == t1);
  CHECK(s.locks[0].held_since == 0_ms);
  REQUIRE(s.locks[0].waiters.size() == 2);
  CHECK(s.locks[0].waiters[0].lane == t3);
  CHECK(s.locks[0].waiters[0].waited == 4_ms);
  CHECK(s.locks[0].waiters[1].lane == t2);
  CHECK(at(t, 10_ms).locks[0].holder == trace::kNone);
}

TEST_CASE("a lock's waiter is listed when its wait begins a step after it asked, not an older wait's lock") {
  // As the model records it (L2): the LockWait mark when the thread asks, the WaitingLock
  // span once the attempt's step has run, 10 us later. T1 waited for lock A before.
  trace::TraceBuilder b("threads", "threads", "new", trace::Origin::Simulated, 1, 5_ms);
  const auto p = b.add_process("main", true);
  const auto lock_a = b.add_lane("lock A", trace::LaneKind::Lock, p);
  const auto lock_b = b.add_lane("lock B", trace::LaneKind::Lock, p);
  const auto t1 = b.add_lane("T1", trace::LaneKind::Thread, p);
  const auto t2 = b.add_lane("T2", trace::LaneKind::Thread, p);
  b.set_state(lock_a, 0_ms, trace::SpanState::Held, t2);
  b.set_state(lock_b, 0_ms, trace::SpanState::Held, t2);
  b.mark(0_ms, trace::MarkKind::LockWait, t1, lock_a, t2);
  b.set_state(t1, 10_us, trace::SpanState::WaitingLock);
  b.clear_state(lock_a, 1_ms);
  b.set_state(lock_a, 1_ms, trace::SpanState::Held, t1);
  b.set_state(t1, 1_ms, trace::SpanState::Running);
  b.mark(2_ms, trace::MarkKind::LockWait, t1, lock_b, t2);
  b.set_state(t1, 2010_us, trace::SpanState::WaitingLock);
  const trace::Trace t = b.finish(10_ms);
  const PlayheadState s = at(t, 5_ms);
  REQUIRE(s.locks.size() == 2);
  CHECK(s.locks[0].waiters.empty());
  REQUIRE(s.locks[1].waiters.size() == 1);
  CHECK(s.locks[1].waiters[0].lane == t1);
  CHECK(s.locks[1].waiters[0].since == 2010_us);
  CHECK(s.locks[1].waiters[0].waited == 2990_us);
}

TEST_CASE("a lock's waiter woken by a release is listed until it takes the lock, waiting since it asked") {
  // As the model records it (L3, L8): T1's release at 2 ms wakes T2, whose wait goes on as a
  // span of its own (labelled with its acquire) until it runs and takes the lock at 2.04 ms.
  // Between the two it was missing from the lock's waiters, though its row still waited.
  LockAndTwoThreads run;
  auto& [b, p, lock, t1, t2] = run;
  b.set_state(lock, 0_ms, trace::SpanState::Held, t1);
  b.set_state(t1, 0_ms, trace::SpanState::Running);
  b.set_state(t2, 0_ms, trace::SpanState::Running);
  b.mark(1_ms, trace::MarkKind::LockWait, t2, lock, t1);
  b.set_state(t2, 1010_us, trace::SpanState::WaitingLock);
  b.clear_state(lock, 2_ms);
  b.set_state(t1, 2_ms, trace::SpanState::Waking);
  b.set_state(t2, 2_ms, trace::SpanState::WaitingLock, 0, 1);  // the wake: a span of its own
  b.set_state(lock, 2040_us, trace::SpanState::Held, t2);
  b.set_state(t2, 2040_us, trace::SpanState::Running);
  const trace::Trace t = b.finish(5_ms);
  REQUIRE(at(t, 1500_us).locks[0].waiters.size() == 1);
  const PlayheadState s = at(t, 2020_us);
  REQUIRE(s.locks[0].waiters.size() == 1);
  CHECK(s.locks[0].waiters[0].lane == t2);
  CHECK(s.locks[0].waiters[0].since == 1010_us);
  CHECK(s.locks[0].waiters[0].waited == 1010_us);
  CHECK(at(t, 2040_us).locks[0].waiters.empty());
}

TEST_CASE("at the hand-off instant the GIL is free and already promised to the woken thread") {
  trace::TraceBuilder b("threads", "threads", "new", trace::Origin::Simulated, 2, 5_ms);
  const auto [gil, t1, t2] = viz::testing::start_gil_pair(b, 1_ms);
  b.set_state(t1, 6_ms, trace::SpanState::WaitingGil);  // dropped at 6 ms
  b.clear_state(gil, 6_ms);
  b.set_state(gil, 6010_us, trace::SpanState::Held, t2);  // T2 wakes and takes it 10 us later
  b.set_state(t2, 6010_us, trace::SpanState::Running);
  const trace::Trace t = b.finish(10_ms);
  const PlayheadState s = state_at(t, PlayheadIndex::build(t), 6_ms);
  REQUIRE(s.processes.size() == 1);
  CHECK(s.processes[0].holder == trace::kNone);
  CHECK(s.processes[0].next_holder == t2);
  CHECK(s.processes[0].next_held_at == 6010_us);
  REQUIRE(s.processes[0].waiters.size() == 2);
  CHECK(s.processes[0].waiters[0].lane == t2);  // longest wait first
}

TEST_CASE("GIL contention: when, and how many, threads wait for each GIL") {
  const trace::Trace t = viz::testing::two_threads();
  const auto contention = gil_contention(t);
  REQUIRE(contention.size() == 1);
  // T2 waits 1 - 6.5 ms, T1 waits 6.5 - 12 ms: one waiter throughout, from 1 ms to 12 ms.
  const auto& spans = contention[0].spans;
  REQUIRE(!spans.empty());
  CHECK(spans.front().begin == 1_ms);
  CHECK(spans.back().end == 12_ms);
  for (const auto& s : spans) CHECK(s.subject == 1);
  CHECK(contention[0].most_waiters == 1);
}

TEST_CASE("GIL contention counts overlapping waits, sums the edges of one instant, and skips empty waits") {
  // Written first, as the band should read:
  //   T1 waits 1-5 ms and 8-9 ms; T2 waits 2-5 ms and 5-7 ms (a new wait as T1's ends);
  //   T3 waits 3-4 ms, and for no time at 6 ms; a second process's thread waits 2-9 ms for
  //   its own GIL. So the main GIL has 1 waiter 1-2, 2 from 2-3, 3 from 3-4, 2 from 4-5, 1
  //   from 5-7 (T2's waits meet T1's end: the count goes 2 -> 1 at 5 ms, never 0 or 3), none
  //   7-8, 1 from 8-9.
  trace::TraceBuilder b("r", "threads", "new", trace::Origin::Simulated, 4, 5_ms);
  const auto main = b.add_process("main", true);
  const auto other = b.add_process("worker", true);
  const auto t1 = b.add_lane("T1", trace::LaneKind::Thread, main);
  const auto t2 = b.add_lane("T2", trace::LaneKind::Thread, main);
  const auto t3 = b.add_lane("T3", trace::LaneKind::Thread, main);
  const auto w = b.add_lane("W", trace::LaneKind::Thread, other);
  using trace::SpanState;
  const auto wait = [&](trace::LaneId lane, Time from, Time to) {
    b.set_state(lane, from, SpanState::WaitingGil);
    b.set_state(lane, to, SpanState::Running);
  };
  wait(t1, 1_ms, 5_ms);
  wait(t1, 8_ms, 9_ms);
  wait(t2, 2_ms, 5_ms);
  b.set_state(t2, 5_ms, SpanState::WaitingGil, 1);  // another wait, from the instant the first ends
  b.set_state(t2, 7_ms, SpanState::Running);
  wait(t3, 3_ms, 4_ms);
  b.set_state(t3, 6_ms, SpanState::WaitingGil);
  b.set_state(t3, 6_ms, SpanState::Running, 1);
  wait(w, 2_ms, 9_ms);
  const trace::Trace t = b.finish(10_ms);
  const auto contention = gil_contention(t);
  REQUIRE(contention.size() == 2);
  struct Band { Time begin, end; std::uint32_t waiters; };
  const auto bands = [](const GilContention& c) {
    std::vector<Band> out;
    for (const trace::Span& s : c.spans) out.push_back({s.begin, s.end, s.subject});
    return out;
  };
  const std::vector<Band> main_bands = bands(contention[0]);
  const std::vector<Band> expected{{1_ms, 2_ms, 1}, {2_ms, 3_ms, 2}, {3_ms, 4_ms, 3}, {4_ms, 5_ms, 2},
                                   {5_ms, 7_ms, 1}, {8_ms, 9_ms, 1}};
  REQUIRE(main_bands.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    CHECK(main_bands[i].begin == expected[i].begin);
    CHECK(main_bands[i].end == expected[i].end);
    CHECK(main_bands[i].waiters == expected[i].waiters);
  }
  CHECK(contention[0].most_waiters == 3);
  CHECK(contention[1].process == other);
  const std::vector<Band> other_bands = bands(contention[1]);
  REQUIRE(other_bands.size() == 1);
  CHECK(other_bands[0].begin == 2_ms);
  CHECK(other_bands[0].end == 9_ms);
  CHECK(contention[1].most_waiters == 1);
}

TEST_CASE("lesson 14: tasks wait for the lock, threads wait for it without the GIL") {
  // gilviz 14 --at 45ms said the asyncio tasks waited "without the GIL": tasks never hold it.
  viz::testing::HeadlessViewer v(ImVec2(1280, 720));
  REQUIRE(v.open(viz::testing::bundled_lesson("14-two-locks.toml")));
  const auto words_at = [&](const std::string& name, Time when) {
    const trace::Trace& run = v.app.session.runs()[viz::testing::run_named(v, name)];
    const PlayheadState s = at(run, when);
    REQUIRE(s.locks.size() == 1);
    REQUIRE(!s.locks[0].waiters.empty());
    return std::string(lock_waiters_words(run, s.locks[0]));
  };
  CHECK(words_at("asyncio", 45_ms) == "waiting for the lock:");
  CHECK(words_at("threads", 45_ms) == "waiting, without the GIL:");
}

TEST_CASE("lesson 16: at the deadlock neither thread holds the GIL or a core, each waits for its lock") {
  // gilviz 16 past 1.08 ms said T2 held the GIL and a core: the state 1 ns before the end,
  // where T2 still ran the acquire that the end's Deadlock mark says it waits in.
  viz::testing::HeadlessViewer v(ImVec2(1280, 720));
  REQUIRE(v.open(viz::testing::bundled_lesson("16-deadlock.toml")));
  const trace::Trace& run = v.app.session.runs()[viz::testing::run_named(v, "threads")];
  const PlayheadIndex index = PlayheadIndex::build(run);
  const auto lane = [&](const std::string& name) {
    for (trace::LaneId l = 0; l < run.lanes.size(); ++l) {
      if (run.lanes[l].name == name) return l;
    }
    FAIL("no lane " << name);
    return trace::kNone;
  };
  const trace::LaneId t1 = lane("T1"), t2 = lane("T2");
  REQUIRE(state_at(run, index, run.end - Time{1}).processes[0].holder == t2);  // the step before

  const PlayheadState s = state_at_deadlock(run, index);
  CHECK(s.at == run.end);
  CHECK(s.processes[0].holder == trace::kNone);
  CHECK(s.processes[0].next_holder == trace::kNone);
  for (const CoreAtPlayhead& core : s.cores) CHECK(core.thread == trace::kNone);
  REQUIRE(s.locks.size() == 2);
  for (const LockAtPlayhead& lock : s.locks) {
    REQUIRE(lock.waiters.size() == 1);
    const bool lock_a = run.lanes[lock.lock].name == "lock lock_a";
    CHECK(lock.holder == (lock_a ? t1 : t2));
    CHECK(lock.waiters[0].lane == (lock_a ? t2 : t1));
    CHECK(lock.waiters[0].waited == run.end - lock.waiters[0].since);
  }
}

TEST_CASE("lesson 13: a timer is due when its sleep ends, and the loop's wait for the GIL is its own") {
  // gilviz 13 --at 102ms said the heartbeat slept "until 105 ms": the end of its awaiting
  // span, which takes in the loop's 5 ms wait for the GIL after the sleep was over.
  viz::testing::HeadlessViewer v(ImVec2(1280, 720));
  REQUIRE(v.open(viz::testing::bundled_lesson("13-to-thread.toml")));
  const trace::Trace& run = v.app.session.runs()[viz::testing::run_named(v, "asyncio")];
  const PlayheadState s = at(run, 102_ms);
  REQUIRE(s.loops.size() == 1);
  const LoopAtPlayhead& loop = s.loops[0];
  REQUIRE(!loop.timers.empty());
  CHECK(run.lanes[loop.timers[0].task].name == "task 1");
  CHECK(loop.timers[0].since == 20_us);
  CHECK(loop.timers[0].until == 100'020_us);  // sleep 100ms from 20 us
  CHECK(loop.timers[0].until < 102_ms);        // due, not yet run
  CHECK(loop.running == trace::kNone);
  REQUIRE(loop.thread != trace::kNone);
  CHECK(run.lanes[loop.thread].name == "event loop");
  CHECK(loop.thread_state == trace::SpanState::WaitingGil);
  CHECK(loop.thread_since == 100'020_us);
}

TEST_CASE("an event loop stuck in a coroutine's blocking call says so: its thread waits there, with no core and no GIL") {
  // Lesson 04's asyncio run: handler 1 (task 2) blocks the loop from 20.06 ms for 300 ms.
  const scenario::Scenario s = scenario::load_file(viz::testing::bundled_lesson("04-blocking-coroutine.toml"));
  const trace::Trace run = model::simulate(s, s.runs[0]);
  REQUIRE(run.executor == "asyncio");
  const PlayheadIndex index = PlayheadIndex::build(run);
  const PlayheadState at_100ms = state_at(run, index, 100_ms);
  REQUIRE(at_100ms.loops.size() == 1);
  CHECK(loop_doing(run, at_100ms.loops[0], 100_ms) ==
        "stuck in task 2's blocking call, for 79.9 ms (its thread waits there: no core, no GIL); every other task waits");
  // Running a callback, before the stall: what it runs.
  const PlayheadState at_30us = state_at(run, index, 30_us);
  REQUIRE(at_30us.loops.size() == 1);
  CHECK(loop_doing(run, at_30us.loops[0], 30_us) == "running task 2");
}

namespace {

/// The model's run `name` of bundled lesson `file`.
trace::Trace lesson_run(const std::string& file, const std::string& name) {
  const scenario::Scenario s = scenario::load_file(viz::testing::bundled_lesson(file));
  const auto run = std::find_if(s.runs.begin(), s.runs.end(), [&](const scenario::Run& r) { return r.name == name; });
  REQUIRE(run != s.runs.end());
  return model::simulate(s, *run);
}

/// What the panel says of `run`'s pool results at `t`.
std::optional<std::string> results_at(const trace::Trace& run, Time t) {
  return pool_results_words(run, state_at(run, PlayheadIndex::build(run), t).jobs, t);
}

}  // namespace

TEST_CASE("a pool whose jobs have all run: its results on their way back until the parent's last unpickling, then its shutdown") {
  // Lesson 17's pool of 4: its last job ends at 115.5 ms, the parent unpickles the last
  // 20 MB result until 218 ms; lesson 10's default map: its results are back before its
  // workers exit, at the run's end.
  const trace::Trace run = lesson_run("17-big-results.toml", "pool of 4");
  CHECK_FALSE(results_at(run, 50_ms).has_value());  // jobs still running
  const auto travelling = results_at(run, 150_ms);
  REQUIRE(travelling.has_value());
  CHECK(travelling->starts_with("results: every job has run; their results are still being pickled, sent and unpickled until "));
  CHECK_FALSE(results_at(run, run.end).has_value());

  const trace::Trace tail = lesson_run("10-pool-overhead.toml", "Pool.map default");
  const auto shutting = results_at(tail, tail.end - 100_us);
  REQUIRE(shutting.has_value());
  CHECK(shutting->starts_with("results: every one is back in the parent; the run ends at "));
  // Lesson 18's ProcessPoolExecutor(): its last result is unpickled by 29.0 ms; the stop
  // signals pickled after it for the workers are no result.
  const auto after = results_at(lesson_run("18-process-vs-pool.toml", "ProcessPoolExecutor()"), 29'060_us);
  REQUIRE(after.has_value());
  CHECK(after->starts_with("results: every one is back in the parent"));
}

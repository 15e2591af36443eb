// Real runs with user locks and shared counters: invariants and generous bounds
// (docs/model.md L1-L7, U1-U2).
#include <algorithm>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "real_test_support.hpp"
#include "sim/real/execute.hpp"
#include "sim/real/real_shared.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::real::testing;
using scenario::Executor;
using scenario::StepKind;
using trace::LaneKind;
using trace::MarkKind;
using trace::SpanState;

namespace {

scenario::Step shared_step(StepKind kind, std::uint32_t target, bool call = false) {
  scenario::Step s = cpu(call ? 20_ns : 0_ns);
  s.kind = kind;
  s.target = target;
  s.has_call = call;
  return s;
}

/// Lock lanes: one holder at a time (spans never overlap), each a thread or task lane.
void check_lock_lanes(const trace::Trace& t) {
  for (const trace::Lane* lane : lanes_of(t, LaneKind::Lock)) {
    for (std::size_t i = 0; i < lane->spans.size(); ++i) {
      const auto& s = lane->spans[i];
      CHECK(s.state == SpanState::Held);
      REQUIRE(s.subject < t.lanes.size());
      CHECK((t.lanes[s.subject].kind == LaneKind::Thread || t.lanes[s.subject].kind == LaneKind::Task));
      if (i > 0) CHECK(lane->spans[i - 1].end <= s.begin);
    }
  }
}

/// One lock, L, and one counter, with a forced switch possible every 100 us.
scenario::Scenario lock_and_counter(const char* counter) {
  auto s = make_scenario({});
  s.locks.push_back({"L", false, {}});
  s.counters.push_back({counter, 0, {}});
  s.python.switch_interval = 100_us;
  return s;
}

/// A threads run of `s` (one lock, one counter): its invariants and lock lane checked, and
/// each of the counter's `updates` kept.
trace::Trace run_keeping_updates(const scenario::Scenario& s, std::int64_t updates) {
  auto t = real::execute(s, make_run(Executor::Threads));
  check_invariants(t);
  check_lock_lanes(t);
  CHECK(lanes_of(t, LaneKind::Lock).size() == 1);
  REQUIRE(t.counters.size() == 1);
  CHECK(t.counters[0].updates == updates);
  CHECK(t.counters[0].final_value == updates);
  return t;
}

/// x takes A then B, y takes B then A, each reading for 200 ms between: they deadlock when
/// each takes its first lock before the other's read ends. (With 20 ms reads, at load 12,
/// y once started after x had finished, and nothing deadlocked.)
scenario::Scenario opposite_order() {
  auto s = make_scenario({});
  s.locks.push_back({"A", false, {}});
  s.locks.push_back({"B", false, {}});
  s.jobs = {make_job("x", 1, {shared_step(StepKind::Acquire, 0), io(200_ms), shared_step(StepKind::Acquire, 1),
                              shared_step(StepKind::Release, 1), shared_step(StepKind::Release, 0)}),
            make_job("y", 1, {shared_step(StepKind::Acquire, 1), io(200_ms), shared_step(StepKind::Acquire, 0),
                              shared_step(StepKind::Release, 0), shared_step(StepKind::Release, 1)})};
  return s;
}

}  // namespace

TEST_CASE("threads waiting for a real lock take turns, without the GIL, and lose no update under it") {
  auto s = lock_and_counter("counter");
  // Each holds the lock across a 100 ms read: the next thread asks for it meanwhile however
  // late a loaded machine starts it (at load 12 one thread started over 20 ms after another;
  // with 5 ms reads the threads could have taken the lock one after another, none waiting).
  std::vector<scenario::Step> steps{shared_step(StepKind::Acquire, 0), io(100_ms)};
  for (int i = 0; i < 200; ++i) steps.push_back(shared_step(StepKind::Increment, 0, true));
  steps.push_back(shared_step(StepKind::Release, 0));
  s.jobs = {make_job("writer", 3, steps)};
  const auto t = run_keeping_updates(s, 600);
  // The lock is held across each read, one thread at a time: at least 300 ms in all.
  CHECK(t.end >= 300_ms);
  CHECK(count_marks(t, MarkKind::LockWait) >= 1);
  CHECK(time_in(t, LaneKind::Thread, SpanState::WaitingLock) >= 5_ms);
}

TEST_CASE("threads in lesson 15's tight locked loop take a released lock without a mutex between, and keep every update") {
  // Four threads, `with lock: safe += one()` 5,000 times each, a forced switch possible every
  // 100 us: the lock is free only between a release and the holder's next acquire (L7's with
  // statement, the release's wake-up), and a woken waiter takes it there with one
  // compare-and-swap (L3, L4), as CPython's semaphore is taken.
  auto s = lock_and_counter("safe");
  std::vector<scenario::Step> steps;
  for (int i = 0; i < 5000; ++i) {
    steps.push_back(shared_step(StepKind::Acquire, 0));
    steps.push_back(shared_step(StepKind::Increment, 0, true));
    steps.push_back(shared_step(StepKind::Release, 0));
  }
  s.jobs = {make_job("locked", 4, steps)};
  const auto t = run_keeping_updates(s, 20000);
  // Every wait ends in a take by the same thread, after it began.
  std::vector<Time> waiting(t.lanes.size(), Time::max());
  int waits = 0;
  for (const auto& m : t.marks) {
    if (m.kind == MarkKind::LockWait) {
      REQUIRE(m.lane < waiting.size());
      CHECK(waiting[m.lane] == Time::max());
      waiting[m.lane] = m.at;
      ++waits;
    } else if (m.kind == MarkKind::LockTaken) {
      REQUIRE(m.lane < waiting.size());
      CHECK(waiting[m.lane] <= m.at);
      waiting[m.lane] = Time::max();
    }
  }
  for (const Time w : waiting) CHECK(w == Time::max());
  CHECK(count_marks(t, MarkKind::LockTaken) == waits);
  for (const auto& job : t.jobs) CHECK(job.end != Time::max());
}

TEST_CASE("two real threads taking two locks in opposite order stop with the cycle explained") {
  const auto s = opposite_order();
  const auto t = real::execute(s, make_run(Executor::Threads));
  check_lock_lanes(t);
  CHECK(count_marks(t, MarkKind::Deadlock) == 2);
  for (const auto& job : t.jobs) CHECK(job.end == Time::max());
  // L6: the run stops when the cycle closes, after the 200 ms reads, with no timeout to wait
  // for, and the deadlock's time is that instant: the last wait's, where the run ends.
  CHECK(t.end >= 200_ms);
  CHECK(t.end < 1900_ms);
  Time last_wait;
  for (const auto& m : t.marks) {
    if (m.kind == MarkKind::LockWait) last_wait = max(last_wait, m.at);
  }
  for (const auto& m : t.marks) {
    if (m.kind == MarkKind::Deadlock) CHECK(m.at == last_wait);
  }
  CHECK(t.end == last_wait);
}

TEST_CASE("tasks waiting for a real asyncio.Lock yield to the loop and get it in the order they asked") {
  auto s = make_scenario({});
  s.locks.push_back({"L", false, {}});
  s.counters.push_back({"counter", 0, {}});
  std::vector<scenario::Step> steps{shared_step(StepKind::Acquire, 0), io(5_ms)};
  for (int i = 0; i < 50; ++i) steps.push_back(shared_step(StepKind::Increment, 0, true));
  steps.push_back(shared_step(StepKind::Release, 0));
  s.jobs = {make_job("writer", 3, steps), make_job("other", 1, {io(2_ms), cpu(1_ms)})};
  const auto t = real::execute(s, make_run(Executor::Asyncio));
  check_invariants(t);
  check_lock_lanes(t);
  const auto locks = lanes_of(t, LaneKind::Lock);
  REQUIRE(locks.size() == 1);
  // L5: the two later tasks queue behind the first and are handed the lock one by one, in
  // the order they asked: task 1, 2, 3 (they start in that order).
  REQUIRE(locks[0]->spans.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK(t.lanes[locks[0]->spans[i].subject].name == fmt::format("task {}", i + 1));
  CHECK(count_marks(t, MarkKind::LockWait) == 2);
  CHECK(count_marks(t, MarkKind::LockTaken) == 2);
  // Each holds the lock across a 5 ms awaited read: 15 ms at least, 5 + 10 ms of waiting.
  CHECK(t.end >= 15_ms);
  CHECK(time_in(t, LaneKind::Task, SpanState::WaitingLock) >= 15_ms);
  // The waiters yield: the fourth task, which takes no lock, finishes while the first
  // writer still holds it (its 2 ms wait is due before the writer's 5 ms one).
  const auto other = std::find_if(t.jobs.begin(), t.jobs.end(), [](const auto& j) { return j.template_index == 1; });
  REQUIRE(other != t.jobs.end());
  CHECK(other->end <= locks[0]->spans[1].begin);
  REQUIRE(t.counters.size() == 1);
  CHECK(t.counters[0].updates == 150);
  CHECK(t.counters[0].final_value == 150);
}

TEST_CASE("two real tasks taking two asyncio.Locks in opposite order stop at once with the cycle explained") {
  const auto s = opposite_order();
  const auto t = real::execute(s, make_run(Executor::Asyncio));
  check_lock_lanes(t);
  CHECK(count_marks(t, MarkKind::Deadlock) == 2);
  for (const auto& job : t.jobs) CHECK(job.end == Time::max());
  // One loop knows every waiter: the cycle is found when it closes, after the 200 ms reads,
  // with no timeout to wait for.
  CHECK(t.end >= 200_ms);
  CHECK(t.end < 1900_ms);
}

TEST_CASE("locks and counters across processes are refused for real, saying why") {
  auto s = make_scenario({});
  s.locks.push_back({"L", false, {}});
  s.jobs = {make_job("x", 2, {shared_step(StepKind::Acquire, 0), cpu(1_ms), shared_step(StepKind::Release, 0)})};
  for (const Executor e : {Executor::ProcessPool, Executor::Processes}) {
    const auto why = real::why_not_runnable(s, make_run(e));
    REQUIRE(why.has_value());
    CHECK(why->find("multiprocessing.Lock") != std::string::npos);
  }
  CHECK_FALSE(real::why_not_runnable(s, make_run(Executor::Asyncio)).has_value());
}

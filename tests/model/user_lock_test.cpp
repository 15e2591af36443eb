// User locks, the lost update and deadlock: hand-written timelines (docs/model.md L1-L6, U1-U3).
#include <doctest/doctest.h>

#include "model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::test;
using scenario::Executor;
using trace::MarkKind;
using trace::SpanState;

namespace {

struct State {
  Time begin, end;
  SpanState state;
};

void check_states(const trace::Lane& lane, const std::vector<State>& expected) {
  REQUIRE(lane.spans.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    CHECK(lane.spans[i].begin == expected[i].begin);
    CHECK(lane.spans[i].end == expected[i].end);
    CHECK(lane.spans[i].state == expected[i].state);
  }
}

}  // namespace

TEST_CASE("a thread waiting for a lock waits without the GIL, and takes the lock when it is released") {
  auto s = exact_scenario(2);
  const auto lock = add_lock(s, "L");
  add_jobs(s, "a", 1, {acquire(lock), io(10_ms), cpu(1_ms), release(lock)});
  add_jobs(s, "b", 1, {cpu(1_ms), acquire(lock), cpu(2_ms), release(lock)});
  const auto t = simulate_with(s, Executor::Threads);

  // T1 takes the free lock at 0 without dropping the GIL (L1) and reads for 10 ms. T2 runs
  // 1 ms, finds the lock held and waits for it with the GIL dropped (L2), so from 1 ms to
  // 10 ms nobody holds the GIL. T1 releases at 11 ms; T2 is woken and takes it (L3).
  check_holders(holders(t, "lock L"), {{0_ms, 11_ms, "T1"}, {11_ms, 13_ms, "T2"}});
  check_holders(holders(t, "GIL"), {{0_ms, 1_ms, "T2"}, {10_ms, 11_ms, "T1"}, {11_ms, 13_ms, "T2"}});
  check_states(lane_named(t, "T2"), {{0_ms, 1_ms, SpanState::Running},
                                     {1_ms, 11_ms, SpanState::WaitingLock},
                                     {11_ms, 13_ms, SpanState::Running}});
  const auto waits = marks_of(t, MarkKind::LockWait);
  REQUIRE(waits.size() == 1);
  CHECK(waits[0]->at == 1_ms);
  CHECK(trace::describe(t, *waits[0]) == "T2 wants lock L but T1 holds it: T2 waits for it without the GIL");
  const auto taken = marks_of(t, MarkKind::LockTaken);
  REQUIRE(taken.size() == 1);
  CHECK(taken[0]->at == 11_ms);
  CHECK(trace::describe(t, *taken[0]) == "T2 took lock L after waiting 10.0 ms");
  CHECK(t.end == 13_ms);
}

TEST_CASE("a released lock wakes its longest waiter, but the releaser can take it back first") {
  auto s = exact_scenario(2);
  s.costs.lock_wake_latency = 10_us;
  const auto lock = add_lock(s, "L");
  add_jobs(s, "a", 1,
           {acquire(lock), io(1_ms), cpu(2_ms), release(lock), acquire(lock), cpu(1_ms), release(lock)});
  add_jobs(s, "b", 2, {acquire(lock), cpu(1_ms), release(lock)});
  const auto t = simulate_with(s, Executor::Threads);

  // T2 then T3 queue for the lock at 0 (L2). At 3 ms T1 releases: the OS wakes T2, the
  // longest waiter (L3), but T1 asks again at once and takes the free lock before T2 is
  // awake (L4); T2 finds it held at 3.01 ms and queues again, behind T3. At 4 ms T3 is
  // woken and takes it at 4.01 ms; T2 gets it last, at 5.02 ms.
  // T1's two holds touch at 3 ms, so the lane shows one span (the trace merges them).
  check_holders(holders(t, "lock L"), {{0_ms, 4_ms, "T1"},
                                       {4_ms + 10_us, 5_ms + 10_us, "T3"},
                                       {5_ms + 20_us, 6_ms + 20_us, "T2"}});
  CHECK(t.jobs[0].end == 4_ms);
  CHECK(t.jobs[2].end == 5_ms + 10_us);
  CHECK(t.jobs[1].end == 6_ms + 20_us);
  const auto taken = marks_of(t, MarkKind::LockTaken);
  REQUIRE(taken.size() == 2);
  CHECK(Time{taken[0]->value} == 4_ms + 10_us);
  CHECK(Time{taken[1]->value} == 5_ms + 20_us);
}

TEST_CASE("a forced switch between the load and the store loses an update; a lock around it loses none") {
  // Each iteration of `counter += one()` costs 2 ms of its own bytecode, 1 ms before the
  // load and 1 ms after the call, plus 2 ms in one(). The eval loop checks the drop request
  // only at one()'s RESUME and at the loop's JUMP_BACKWARD (U1).
  auto s = exact_scenario(2);
  s.python.switch_interval = 500_us;
  s.costs.increment = 2_ms;

  SUBCASE("without a lock") {
    const auto counter = add_counter(s, "counter");
    add_jobs(s, "adder", 2, {increment(counter, 2_ms)});
    const auto t = simulate_with(s, Executor::Threads);
    // 0: T1 runs; T2 waits for the GIL and asks for it at 0.5 ms. T1 loads 0 at 1 ms and
    // drops the GIL at one()'s RESUME. T2 loads 0 at 2 ms and is switched out at its own
    // RESUME. T1 stores 1 at 5 ms and gives way at JUMP_BACKWARD; T2 stores 0 + 1 at 8 ms,
    // over T1's update.
    const auto switches = marks_of(t, MarkKind::ForcedSwitch);
    REQUIRE(switches.size() == 4);
    CHECK(switches[0]->at == 1_ms);
    CHECK(switches[1]->at == 2_ms);
    CHECK(switches[2]->at == 5_ms);
    CHECK(switches[3]->at == 8_ms);
    REQUIRE(t.counters.size() == 1);
    CHECK(t.counters[0].final_value == 1);
    CHECK(t.counters[0].updates == 2);
    const auto lost = marks_of(t, MarkKind::LostUpdate);
    REQUIRE(lost.size() == 1);
    CHECK(lost[0]->at == 8_ms);
    CHECK(t.lanes[lost[0]->lane].name == "T2");
    CHECK(trace::describe(t, *lost[0]) ==
          "T2 stored counter from a stale load, over 1 update made since it loaded: 1 update lost");
    CHECK(t.end == 8_ms);
  }
  SUBCASE("with a lock") {
    const auto counter = add_counter(s, "counter");
    const auto lock = add_lock(s, "counter_lock");
    add_jobs(s, "adder", 2, {acquire(lock), increment(counter, 2_ms), release(lock)});
    const auto t = simulate_with(s, Executor::Threads);
    // T1 is still switched out at 1 ms, but T2 finds the lock held and waits for it without
    // the GIL; T1 takes the GIL back at once and stores 1 at 4 ms. T2 stores 2 at 8 ms.
    REQUIRE(t.counters.size() == 1);
    CHECK(t.counters[0].final_value == 2);
    CHECK(t.counters[0].updates == 2);
    CHECK(marks_of(t, MarkKind::LostUpdate).empty());
    check_holders(holders(t, "lock counter_lock"), {{0_ms, 4_ms, "T1"}, {4_ms, 8_ms, "T2"}});
    check_states(lane_named(t, "T2"), {{0_ms, 1_ms, SpanState::WaitingGil},
                                       {1_ms, 4_ms, SpanState::WaitingLock},
                                       {4_ms, 8_ms, SpanState::Running}});
    CHECK(t.end == 8_ms);
  }
}

TEST_CASE("counter += 1 without a call cannot be cut between its load and its store") {
  // CPython 3.11 checks the drop request at JUMP_BACKWARD, never inside the statement (U1).
  auto s = exact_scenario(2);
  s.python.switch_interval = 1_us;
  s.costs.increment = 100_ns;
  const auto counter = add_counter(s, "counter");
  std::vector<scenario::Step> steps(1000, increment(counter));
  add_jobs(s, "adder", 4, steps);
  const auto t = simulate_with(s, Executor::Threads);
  REQUIRE(t.counters.size() == 1);
  CHECK(t.counters[0].final_value == 4000);
  CHECK(t.counters[0].updates == 4000);
  CHECK_FALSE(marks_of(t, MarkKind::ForcedSwitch).empty());
}

TEST_CASE("two threads taking two locks in opposite order deadlock, and the run stops there") {
  auto s = exact_scenario(2);
  const auto a = add_lock(s, "A");
  const auto b = add_lock(s, "B");
  add_jobs(s, "x", 1, {acquire(a), io(1_ms), acquire(b), release(b), release(a)});
  add_jobs(s, "y", 1, {acquire(b), io(1_ms), acquire(a), release(a), release(b)});
  const auto t = simulate_with(s, Executor::Threads);
  // At 1 ms T1 waits for B, held by T2; then T2 asks for A, held by T1: a cycle (L6).
  const auto deadlock = marks_of(t, MarkKind::Deadlock);
  REQUIRE(deadlock.size() == 2);
  CHECK(deadlock[0]->at == 1_ms);
  CHECK(trace::describe(t, *deadlock[0]) == "deadlock: T2 waits for lock A, held by T1");
  CHECK(trace::describe(t, *deadlock[1]) == "deadlock: T1 waits for lock B, held by T2");
  CHECK(t.end == 1_ms);
  CHECK(t.jobs[0].end == Time::max());
  CHECK(t.jobs[1].end == Time::max());
  check_holders(holders(t, "lock A"), {{0_ms, 1_ms, "T1"}});
  check_holders(holders(t, "lock B"), {{0_ms, 1_ms, "T2"}});
  check_states(lane_named(t, "T1"), {{0_ms, 1_ms, SpanState::BlockedIo}});
}

TEST_CASE("a task awaiting an asyncio.Lock yields to the loop") {
  auto s = exact_scenario(2);
  const auto lock = add_lock(s, "L");
  add_jobs(s, "task", 2, {acquire(lock), io(10_ms), release(lock)});
  const auto t = simulate_with(s, Executor::Asyncio);
  // task 1 takes the lock and awaits its read; task 2 finds the lock held and yields (L5).
  // When task 1 releases at 10 ms, task 2 is woken through the ready queue.
  check_holders(holders(t, "lock L"), {{0_ms, 10_ms, "task 1"}, {10_ms, 20_ms, "task 2"}});
  check_states(lane_named(t, "task 2"), {{0_ms, 10_ms, SpanState::WaitingLock}, {10_ms, 20_ms, SpanState::Awaiting}});
  CHECK(time_in(lane_named(t, "event loop"), SpanState::WaitingLock) == 0_ms);
  CHECK(t.end == 20_ms);
}

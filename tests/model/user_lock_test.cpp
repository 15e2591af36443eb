// User locks, the lost update and deadlock: hand-written timelines (docs/model.md L1-L8, U1-U3).
#include <doctest/doctest.h>

#include "model_fixtures.hpp"
#include "sim/scenario/loader.hpp"

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

TEST_CASE("the with statement costs its Python time before the acquire, and the lock is taken after it") {
  auto s = exact_scenario(2);
  s.costs.lock_with = 100_us;  // L7 (100 ns by default; larger here to read the timeline)
  const auto lock = add_lock(s, "L");
  add_jobs(s, "a", 1, {acquire(lock), io(1_ms), release(lock)});
  add_jobs(s, "b", 1, {acquire(lock), cpu(1_ms), release(lock)});
  const auto t = simulate_with(s, Executor::Threads);

  // T1 runs its with statement from 0 to 0.1 ms holding the GIL, takes the free lock at
  // 0.1 ms and reads until 1.1 ms (GIL dropped). T2 runs its statement from 0.1 to 0.2 ms,
  // finds the lock held and waits without the GIL; at 1.1 ms T1 releases, T2 takes the
  // lock and runs 1 ms of Python to 2.1 ms.
  check_holders(holders(t, "lock L"), {{100_us, 1100_us, "T1"}, {1100_us, 2100_us, "T2"}});
  check_holders(holders(t, "GIL"), {{0_ms, 100_us, "T1"}, {100_us, 200_us, "T2"}, {1100_us, 2100_us, "T2"}});
  check_states(lane_named(t, "T2"), {{0_ms, 100_us, SpanState::WaitingGil},
                                     {100_us, 200_us, SpanState::Running},
                                     {200_us, 1100_us, SpanState::WaitingLock},
                                     {1100_us, 2100_us, SpanState::Running}});
  CHECK(t.end == 2100_us);
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

TEST_CASE("a release that wakes a sleeping waiter costs the releaser the wake, and the waiter takes the lock meanwhile") {
  auto s = exact_scenario(2);
  s.costs.lock_wake_latency = 10_us;
  s.costs.lock_release_wake = 15_us;  // L8 (11 us by default; larger here to read the timeline)
  const auto lock = add_lock(s, "L");
  add_jobs(s, "a", 1, {acquire(lock), io(1_ms), cpu(1_ms), release(lock), cpu(1_ms)});
  add_jobs(s, "b", 1, {acquire(lock), cpu(1_ms), release(lock)});
  const auto t = simulate_with(s, Executor::Threads);

  // T1 takes the lock at 0 and reads; T2 finds it held and sleeps on it (L2). At 2 ms T1
  // releases: the lock is free at once, and waking T2 keeps T1 in release() with the GIL
  // until 2.015 ms (L8). T2 runs at 2.01 ms and takes the free lock (L3), then waits for
  // the GIL, which T1 keeps through its last 1 ms of Python: T2 runs from 3.015 ms. Its
  // own release wakes nobody and costs nothing.
  check_holders(holders(t, "lock L"), {{0_ms, 2_ms, "T1"}, {2_ms + 10_us, 4_ms + 15_us, "T2"}});
  check_holders(holders(t, "GIL"), {{1_ms, 3_ms + 15_us, "T1"}, {3_ms + 15_us, 4_ms + 15_us, "T2"}});
  // T1's wake is C code under the GIL, not Python (L8).
  check_states(lane_named(t, "T1"), {{0_ms, 1_ms, SpanState::BlockedIo},
                                     {1_ms, 2_ms, SpanState::Running},
                                     {2_ms, 2_ms + 15_us, SpanState::Waking},
                                     {2_ms + 15_us, 3_ms + 15_us, SpanState::Running}});
  // T2's wait after the wake is labelled with its acquire, a span of its own.
  check_states(lane_named(t, "T2"), {{0_ms, 2_ms, SpanState::WaitingLock},
                                     {2_ms, 2_ms + 10_us, SpanState::WaitingLock},
                                     {2_ms + 10_us, 3_ms + 15_us, SpanState::WaitingGil},
                                     {3_ms + 15_us, 4_ms + 15_us, SpanState::Running}});
  CHECK(t.jobs[0].end == 3_ms + 15_us);
  CHECK(t.end == 4_ms + 15_us);
}

TEST_CASE("when waking costs the releaser longer than the waiter needs, the lock changes hands at every release") {
  // Lesson 15's convoy in small: two threads loop `with lock:` around 1 ms of Python. A
  // release with a sleeping waiter keeps the releaser 15 us in release() (L8); the waiter
  // runs after 10 us (L3), finds the lock free and takes it; the releaser's next acquire
  // finds it held and sleeps; the GIL goes to the new holder.
  auto s = exact_scenario(2);
  s.python.switch_interval = 500_us;
  s.costs.lock_wake_latency = 10_us;
  s.costs.lock_release_wake = 15_us;
  const auto lock = add_lock(s, "L");
  add_jobs(s, "x", 2,
           {acquire(lock), cpu(1_ms), release(lock), acquire(lock), cpu(1_ms), release(lock), acquire(lock),
            cpu(1_ms), release(lock)});
  const auto t = simulate_with(s, Executor::Threads);

  // 0: T1 takes the lock; T2 waits for the GIL and asks for it at 0.5 ms, finds the lock
  // held and sleeps on it. T1's first release, at 1 ms, wakes it: from then on each
  // holder's release hands the lock over, 10 us after the release, and the GIL 15 us
  // after it. T1's last release wakes T2 too and its job ends at 5.075 ms; T2's last
  // release wakes nobody.
  check_holders(holders(t, "lock L"), {{0_ms, 1_ms, "T1"},
                                       {1_ms + 10_us, 2_ms + 15_us, "T2"},
                                       {2_ms + 25_us, 3_ms + 30_us, "T1"},
                                       {3_ms + 40_us, 4_ms + 45_us, "T2"},
                                       {4_ms + 55_us, 5_ms + 60_us, "T1"},
                                       {5_ms + 70_us, 6_ms + 75_us, "T2"}});
  CHECK(t.jobs[0].end == 5_ms + 75_us);
  CHECK(t.jobs[1].end == 6_ms + 75_us);
  const auto taken = marks_of(t, MarkKind::LockTaken);
  CHECK(taken.size() == 5);

  SUBCASE("a wake that costs nothing lets the releaser take the lock back (L4)") {
    s.costs.lock_release_wake = 0_ns;
    const auto free_wake = simulate_with(s, Executor::Threads);
    // T1 keeps the lock through its three iterations; T2 sleeps on it from 0.5 ms to 3 ms.
    check_holders(holders(free_wake, "lock L"), {{0_ms, 3_ms, "T1"}, {3_ms + 10_us, 6_ms + 10_us, "T2"}});
  }
}

TEST_CASE("a woken waiter tries the lock on a core: with none free, the releaser takes the lock back first") {
  auto s = exact_scenario(1);
  s.costs.lock_wake_latency = 10_us;
  s.costs.lock_release_wake = 15_us;
  s.costs.lock_woken_try = 1_us;  // L3 (100 ns by default; larger here to read the timeline)
  const auto lock = add_lock(s, "L");
  add_jobs(s, "a", 1, {acquire(lock), io(1_ms), cpu(1_ms), release(lock), acquire(lock), cpu(1_ms), release(lock)});
  add_jobs(s, "b", 1, {acquire(lock), cpu(1_ms), release(lock)});
  const auto t = simulate_with(s, Executor::Threads);

  // One core. T1's release at 2 ms wakes T2 and keeps T1 on the core until 2.015 ms (L8).
  // T2 is ready at 2.01 ms but the core is T1's: T1 takes the lock back at 2.015 ms (L4)
  // and runs its last 1 ms. Its last release wakes nobody (T2 is no longer asleep on the
  // lock). T2 gets the core when T1 ends, at 3.015 ms, tries for 1 us and takes the lock.
  check_holders(holders(t, "lock L"),
                {{0_ms, 2_ms, "T1"}, {2_ms + 15_us, 3_ms + 15_us, "T1"}, {3_ms + 16_us, 4_ms + 16_us, "T2"}});
  check_states(lane_named(t, "T2"), {{0_ms, 2_ms, SpanState::WaitingLock},
                                     {2_ms, 2_ms + 10_us, SpanState::WaitingLock},
                                     {2_ms + 10_us, 3_ms + 15_us, SpanState::Runnable},
                                     {3_ms + 15_us, 3_ms + 16_us, SpanState::Native},
                                     {3_ms + 16_us, 4_ms + 16_us, SpanState::Running}});
  CHECK(t.end == 4_ms + 16_us);
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
          "T2 stored counter from a stale load, writing over 1 store made since it loaded");
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

TEST_CASE("stale stores overlap: lesson 15's marks write over more stores than its counter loses (U2)") {
  // docs/model.md U2 says so, and so the marks say "writing over N stores", never "N lost".
  const auto s = scenario::load_file(std::string(GILSIM_SOURCE_DIR) + "/scenarios/15-lost-update.toml");
  const auto run = std::find_if(s.runs.begin(), s.runs.end(), [](const auto& r) { return r.name == "threads"; });
  REQUIRE(run != s.runs.end());
  const trace::Trace t = model::simulate(s, *run);
  std::int64_t written_over = 0, lost = 0;
  for (const auto& m : marks_of(t, MarkKind::LostUpdate)) written_over += m->value;
  for (const auto& c : t.counters) lost += c.lost();
  CHECK(lost > 0);
  CHECK(written_over > lost);
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

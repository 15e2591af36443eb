// Counter increments, and the locks around them, run at once while nothing can come between
// them (docs/model.md U4): a hand-written timeline, and the same traces as the long way, one
// compute at a time, which a watcher asking at every event forces (the stretch then has no
// events to spare).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "model_fixtures.hpp"
#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"
#include "both_ways.hpp"

using namespace gilsim;
using namespace gilsim::test;
using scenario::Executor;
using trace::SpanState;

TEST_CASE("a thread alone runs its increments at once, each statement its own span") {
  // One thread on one core with nothing else to do: no event is due, so every statement
  // runs at once (U4). Each costs 40 ns of its own bytecode (20 before the load, 20 after
  // the call) and 30 ns in one(): statement i runs from 70 i to 70 (i + 1), shown as step i,
  // and counts three events, one per compute, as the long way does.
  const auto alone = [](int statements, model::SimulationStats& stats) {
    auto s = exact_scenario(1);
    s.costs.increment = 40_ns;
    const auto counter = add_counter(s, "counter");
    add_jobs(s, "adder", 1, std::vector<scenario::Step>(static_cast<std::size_t>(statements), increment(counter, 30_ns)));
    scenario::Run run;
    run.name = "sequential";
    run.executor = Executor::Sequential;
    s.runs = {run};
    return std::pair{s, model::simulate(s, s.runs[0], &stats)};
  };
  model::SimulationStats five_stats, six_stats;
  const auto [s, t] = alone(5, five_stats);
  alone(6, six_stats);
  CHECK(six_stats.events == five_stats.events + 3);

  const trace::Lane& main = lane_named(t, "main");
  std::vector<trace::Span> running;
  for (const trace::Span span : main.spans) {
    if (span.state == SpanState::Running) running.push_back(span);
  }
  REQUIRE(running.size() == 5);
  const Time start = running[0].begin;
  for (std::size_t i = 0; i < running.size(); ++i) {
    CAPTURE(i);
    CHECK(running[i].begin == start + Time{70 * static_cast<std::int64_t>(i)});
    CHECK(running[i].end == start + Time{70 * static_cast<std::int64_t>(i + 1)});
    CHECK(running[i].step == i);
  }
  REQUIRE(t.counters.size() == 1);
  CHECK(t.counters[0].final_value == 5);
  CHECK(t.counters[0].updates == 5);
  simulate_both_ways(s);
}

TEST_CASE("increments run at once leave every trace as the long way makes it") {
  // Where a drop request, a timer or the event limit comes between the statements, the
  // stretch ends and they go the long way: lost updates, forced switches, locks, tasks,
  // no GIL, cores of two speeds (S7).
  SUBCASE("lesson 15") {
    const scenario::Scenario s = scenario::load_file(std::string(GILSIM_SOURCE_DIR) + "/scenarios/15-lost-update.toml");
    const BothWays both = simulate_both_ways(s);
    // The threads lose updates, with a stretch cut at each drop request.
    CHECK(both.at_once[1].counters[0].final_value < both.at_once[1].counters[0].updates);
  }
  SUBCASE("an RLock taken again, a lock waited for, other work in the block") {
    const scenario::Scenario s = scenario::load_string(R"(
title = "locks around increments"
[machine]
cores = 3
[python]
switch_interval = "5us"
[locks]
outer = "RLock"
inner = "Lock"
[counters]
counter = 0
[[job]]
name = "again"
count = 3
steps = [ { repeat = 300, steps = [ { acquire = "outer" }, { acquire = "outer" }, { increment = "counter", call = "10ns..40ns" },
                                    { release = "outer" }, { increment = "counter" }, { release = "outer" } ] } ]
[[job]]
name = "longer"
count = 2
steps = [ { repeat = 100, steps = [ { acquire = "inner" }, { increment = "counter" }, { cpu = "2us" }, { release = "inner" } ] } ]
[[run]]
name = "threads"
executor = "threads"
[[run]]
name = "sequential"
executor = "sequential"
[[run]]
name = "asyncio"
executor = "asyncio"
)",
                                                       "locks.toml");
    simulate_both_ways(s);
  }
  SUBCASE("tasks queued for an asyncio.Lock held across an await") {
    const scenario::Scenario s = scenario::load_string(R"(
title = "tasks queue for a lock"
[locks]
lock = "Lock"
[counters]
counter = 0
[[job]]
name = "waits inside"
count = 4
steps = [ { repeat = 50, steps = [ { acquire = "lock" }, { increment = "counter" }, { io = "3us" }, { increment = "counter", call = "20ns" },
                                   { release = "lock" }, { acquire = "lock" }, { increment = "counter" }, { release = "lock" } ] } ]
[[run]]
name = "asyncio"
executor = "asyncio"
[[run]]
name = "threads"
executor = "threads"
)",
                                                       "queued.toml");
    const BothWays both = simulate_both_ways(s);
    // The tasks did queue for the lock, and took it at a release.
    CHECK_FALSE(marks_of(both.at_once[0], trace::MarkKind::LockWait).empty());
    CHECK_FALSE(marks_of(both.at_once[0], trace::MarkKind::LockTaken).empty());
  }
  SUBCASE("no GIL, cores of two speeds") {
    const scenario::Scenario s = scenario::load_string(R"(
title = "increments on cores of two speeds, without a GIL"
[machine]
cores = 2
core_speeds = [1.0, 0.7]
[python]
gil = "none"
switch_interval = "1us"
[counters]
counter = 0
[[job]]
name = "adder"
count = 3
steps = [ { repeat = 300, steps = [ { increment = "counter", call = "7ns..31ns" } ] }, { cpu = "3us" },
          { repeat = 200, steps = [ { increment = "counter" } ] } ]
[[run]]
name = "threads"
executor = "threads"
[[run]]
name = "asyncio"
executor = "asyncio"
)",
                                                       "inline.toml");
    simulate_both_ways(s);
  }
}

TEST_CASE("a lock waiter's wake-ups are asides: the holder's stretch of with statements goes on past them") {
  // T1 holds lock L across a read, then runs `with L: counter += f()` eight times; T2 waits
  // for L meanwhile (L2). Each with statement costs 1 us before the acquire (L7) and 2 us
  // inside (the increment's 1 us of bytecode and f()'s 1 us), so from T1's release at 1001 us
  // statement k holds L over [1002 + 3k, 1004 + 3k) us. Each release that finds T2 queued
  // wakes it (L3): it waits out 11 us and tries at 1012 us, inside statement 3's hold, and at
  // 1024 us, inside statement 7's, finds L held each time and queues again (L4). Neither
  // wake-up nor failed try touches T1: T1's stretch runs them in its midst, in their order
  // (Engine::run_asides()), and goes on. T1's last release, at 1025 us, wakes T2, which
  // takes L at 1036 us.
  auto s = exact_scenario(2);
  s.costs.lock_with = 1_us;
  s.costs.lock_wake_latency = 11_us;
  s.costs.increment = 1_us;
  const auto lock = add_lock(s, "L");
  const auto counter = add_counter(s, "counter");
  std::vector<scenario::Step> holder{acquire(lock), io(1_ms), release(lock)};
  for (int k = 0; k < 8; ++k) {
    holder.insert(holder.end(), {acquire(lock), increment(counter, 1_us), release(lock)});
  }
  add_jobs(s, "holder", 1, holder);
  add_jobs(s, "waiter", 1, {acquire(lock), cpu(1_us), release(lock)});
  scenario::Run run;
  run.name = "threads";
  run.executor = Executor::Threads;
  s.runs = {run};
  model::SimulationStats stats;
  const trace::Trace t = model::simulate(s, s.runs[0], &stats);

  const Time r = 1001_us;
  std::vector<Hold> holds{{1_us, r, "T1"}};
  for (int k = 0; k < 8; ++k) holds.push_back({r + Time{(3 * k + 1) * 1'000}, r + Time{(3 * k + 3) * 1'000}, "T1"});
  holds.push_back({1036_us, 1037_us, "T2"});
  check_holders(holders(t, "lock L"), holds);
  // T2's lane: its with statement, then waiting for L: queued (no step), waiting out a wake-up
  // (the acquire's step, 0), queued again after each failed try.
  const trace::Lane& t2 = lane_named(t, "T2");
  const std::vector<std::pair<Time, std::uint16_t>> waits{
      {2_us, trace::kNoStep}, {1001_us, 0}, {1012_us, trace::kNoStep}, {1013_us, 0}, {1024_us, trace::kNoStep}, {1025_us, 0}};
  std::vector<trace::Span> waiting;
  for (const trace::Span span : t2.spans) {
    if (span.state == SpanState::WaitingLock) waiting.push_back(span);
  }
  REQUIRE(waiting.size() == waits.size());
  for (std::size_t i = 0; i < waits.size(); ++i) {
    CAPTURE(i);
    CHECK(waiting[i].begin == waits[i].first);
    CHECK(waiting[i].end == (i + 1 < waits.size() ? waits[i + 1].first : 1036_us));
    CHECK(waiting[i].step == waits[i].second);
  }
  CHECK(marks_of(t, trace::MarkKind::LockTaken).size() == 1);
  CHECK(t.jobs[0].end == 1025_us);
  CHECK(t.end == 1037_us);
  // The failed tries at 1012 and 1024 us and the wake-up at 1013 us ran in T1's stretch.
  // The wake-up at 1001 us is an event of its own: T1 took the GIL back in that event, whose
  // end makes the drop deadline's look, so no stretch begins before it (Engine::stretch());
  // and so is the one at T1's last release (1025 us), its steps over.
  CHECK(stats.asides == 3);
  simulate_both_ways(s);
}

TEST_CASE("a wake-up whose wait ends as the holder's step ends is left to the loop: the step, begun first, ends first") {
  // As above with lock_wake_latency equal to the with statement's cost (1 us): T2, woken at
  // T1's release at r, tries at r + 1 us, the instant T1's next with statement ends and takes
  // L. T1's statement began at r, before T2's wake-up ran, so its end comes first at the tie
  // and T2 finds L held (L4). A stretch that ran that wake-up in its midst would have set
  // T2's try before the statement's end: the wake-up is left to the loop there, and T1's
  // statement goes the long way.
  auto s = exact_scenario(2);
  s.costs.lock_with = 1_us;
  s.costs.lock_wake_latency = 1_us;
  s.costs.increment = 1_us;
  const auto lock = add_lock(s, "L");
  const auto counter = add_counter(s, "counter");
  std::vector<scenario::Step> holder{acquire(lock), io(1_ms), release(lock)};
  for (int k = 0; k < 4; ++k) {
    holder.insert(holder.end(), {acquire(lock), increment(counter, 1_us), release(lock)});
  }
  add_jobs(s, "holder", 1, holder);
  add_jobs(s, "waiter", 1, {acquire(lock), cpu(1_us), release(lock)});
  const trace::Trace t = simulate_with(s, Executor::Threads);

  // T1 holds L over [1002 + 3k, 1004 + 3k) us; T2 tries at each statement's take, and takes
  // L at 1014 us, woken by T1's last release.
  const Time r = 1001_us;
  std::vector<Hold> holds{{1_us, r, "T1"}};
  for (int k = 0; k < 4; ++k) holds.push_back({r + Time{(3 * k + 1) * 1'000}, r + Time{(3 * k + 3) * 1'000}, "T1"});
  holds.push_back({1014_us, 1015_us, "T2"});
  check_holders(holders(t, "lock L"), holds);
  simulate_both_ways(s);
}

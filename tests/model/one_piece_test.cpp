// A thread's stretch of `with lock: counter += f()` statements and increments run in one
// piece after its first step (SharedState::in_one_piece, docs/model.md U4): a hand-written
// timeline with exact times, and the same traces as the step-by-step way (a check at every
// event leaves a stretch no event to spare) where contention, a drop request, a sleeper's
// wake-up or a second lock comes in the middle of a stretch.
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "model_fixtures.hpp"
#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"
#include "both_ways.hpp"

using namespace gilsim;
using namespace gilsim::test;
using scenario::Executor;
using trace::SpanState;

namespace {

std::vector<trace::Span> spans_in(const trace::Trace& t, std::string_view lane, SpanState state) {
  std::vector<trace::Span> out;
  for (const trace::Span span : lane_named(t, lane).spans) {
    if (span.state == state) out.push_back(span);
  }
  return out;
}

/// `statements` statements `with lock: counter += f()` at the end of `steps`, f() taking
/// `f_cost(k)` in statement k.
void add_with_statements(std::vector<scenario::Step>& steps, auto lock, auto counter, int statements, auto f_cost) {
  for (int k = 0; k < statements; ++k) {
    steps.push_back(acquire(lock));
    steps.push_back(increment(counter, f_cost(k)));
    steps.push_back(release(lock));
  }
}

/// T1 holds lock L across a 1 ms read, then runs `statements` statements `with L: counter
/// += f()`; T2 waits for L meanwhile (L2) and holds it 1 us once it has it. Each with
/// statement costs 1 us before the acquire (L7) and 2 us inside (the increment's 1 us and
/// f()'s), so from T1's release at 1001 us statement k holds L over [1002 + 3k, 1004 + 3k)
/// us; a woken T2 tries `latency` after its wake-up (L3).
scenario::Scenario holder_and_waiter(Time latency, int statements) {
  auto s = exact_scenario(2);
  s.costs.lock_with = 1_us;
  s.costs.lock_wake_latency = latency;
  s.costs.increment = 1_us;
  const auto lock = add_lock(s, "L");
  const auto counter = add_counter(s, "counter");
  std::vector<scenario::Step> holder{acquire(lock), io(1_ms), release(lock)};
  add_with_statements(holder, lock, counter, statements, [](int) { return 1_us; });
  add_jobs(s, "holder", 1, holder);
  add_jobs(s, "waiter", 1, {acquire(lock), cpu(1_us), release(lock)});
  scenario::Run run;
  run.name = "threads";
  run.executor = Executor::Threads;
  s.runs = {run};
  return s;
}

/// T1's holds of L in holder_and_waiter(), then T2's from `t2_takes`.
std::vector<Hold> holds_of_l(int statements, Time t2_takes) {
  const Time r = 1001_us;
  std::vector<Hold> holds{{1_us, r, "T1"}};
  for (int k = 0; k < statements; ++k) {
    holds.push_back({r + Time{(3 * k + 1) * 1'000}, r + Time{(3 * k + 3) * 1'000}, "T1"});
  }
  holds.push_back({t2_takes, t2_takes + 1_us, "T2"});
  return holds;
}

}  // namespace

TEST_CASE("a thread alone runs its with statements in one piece: each step its span, the lock held from the take to the release") {
  // One thread, one core, nothing else due. Each statement: `with` 100 ns (L7, the lock
  // taken at its end), then the increment's 40 ns of bytecode and f()'s 30 ns, then the
  // release: statement k runs from 170 k; its with step [170 k, 170 k + 100), its increment
  // [170 k + 100, 170 k + 170), the lock Held over the increment. Four events a statement.
  const auto alone = [](int statements, model::SimulationStats& stats) {
    auto s = exact_scenario(1);
    s.costs.increment = 40_ns;
    s.costs.lock_with = 100_ns;
    const auto lock = add_lock(s, "lock");
    const auto counter = add_counter(s, "counter");
    std::vector<scenario::Step> steps;
    add_with_statements(steps, lock, counter, statements, [](int) { return 30_ns; });
    add_jobs(s, "locked", 1, steps);
    scenario::Run run;
    run.name = "threads";
    run.executor = Executor::Threads;
    s.runs = {run};
    return std::pair{s, model::simulate(s, s.runs[0], &stats)};
  };
  model::SimulationStats seven_stats, eight_stats;
  const auto [s, t] = alone(7, seven_stats);
  alone(8, eight_stats);
  CHECK(eight_stats.events == seven_stats.events + 4);

  const std::vector<trace::Span> running = spans_in(t, "T1", SpanState::Running);
  REQUIRE(running.size() == 14);
  const Time start = running[0].begin;
  for (std::size_t k = 0; k < 7; ++k) {
    CAPTURE(k);
    const Time at = start + Time{170 * static_cast<std::int64_t>(k)};
    CHECK(running[2 * k].begin == at);
    CHECK(running[2 * k].end == at + 100_ns);
    CHECK(running[2 * k].step == 3 * k);
    CHECK(running[2 * k + 1].begin == at + 100_ns);
    CHECK(running[2 * k + 1].end == at + 170_ns);
    CHECK(running[2 * k + 1].step == 3 * k + 1);
  }
  const std::vector<trace::Span> held = spans_in(t, "lock lock", SpanState::Held);
  REQUIRE(held.size() == 7);
  for (std::size_t k = 0; k < 7; ++k) {
    CAPTURE(k);
    CHECK(held[k].begin == start + Time{170 * static_cast<std::int64_t>(k) + 100});
    CHECK(held[k].end == start + Time{170 * static_cast<std::int64_t>(k + 1)});
    CHECK(held[k].subject == static_cast<std::uint32_t>(&lane_named(t, "T1") - t.lanes.data()));
  }
  REQUIRE(t.counters.size() == 1);
  CHECK(t.counters[0].final_value == 7);
  CHECK(t.counters[0].updates == 7);
  simulate_both_ways(s);
}

TEST_CASE("statements in one piece leave every trace as the step-by-step way makes it") {
  SUBCASE("contention mid-stretch: a drop request, lock waiters woken at a release, a sleeper back") {
    const scenario::Scenario s = scenario::load_string(R"(
title = "contention comes in the middle of a stretch"
[machine]
cores = 2
[python]
switch_interval = "3us"
[locks]
lock = "Lock"
[counters]
counter = 0
safe = 0
[[job]]
name = "locked"
count = 3
steps = [ { repeat = 500, steps = [ { acquire = "lock" }, { increment = "safe", call = "10ns..30ns" }, { release = "lock" } ] } ]
[[job]]
name = "plain"
count = 1
steps = [ { repeat = 300, steps = [ { increment = "counter", call = "5ns..25ns" } ] }, { sleep = "2us" },
          { repeat = 300, steps = [ { increment = "counter" } ] } ]
[[job]]
name = "sleeper"
count = 1
steps = [ { sleep = "1500ns" }, { acquire = "lock" }, { cpu = "1us" }, { release = "lock" }, { sleep = "7us" },
          { increment = "counter" } ]
[[run]]
name = "threads"
executor = "threads"
[[run]]
name = "one core"
executor = "threads"
cores = 1
)",
                                                       "mid.toml");
    const std::vector<trace::Trace> runs = simulate_both_ways(s).at_once;
    CHECK_FALSE(marks_of(runs[0], trace::MarkKind::LockWait).empty());
  }
  SUBCASE("two locks, nested and one after the other, an RLock entered again, empty with blocks") {
    const scenario::Scenario s = scenario::load_string(R"(
title = "two locks"
[machine]
cores = 2
[python]
switch_interval = "4us"
[locks]
a = "Lock"
b = "RLock"
[counters]
counter = 0
[[job]]
name = "nested"
count = 2
steps = [ { repeat = 200, steps = [ { acquire = "a" }, { acquire = "b" }, { acquire = "b" }, { increment = "counter", call = "10ns" },
                                    { release = "b" }, { release = "b" }, { increment = "counter" }, { release = "a" },
                                    { acquire = "b" }, { release = "b" }, { acquire = "a" }, { release = "a" },
                                    { acquire = "b" }, { increment = "counter" }, { release = "b" } ] } ]
[[job]]
name = "other order"
count = 1
steps = [ { repeat = 300, steps = [ { acquire = "b" }, { increment = "counter" }, { release = "b" }, { acquire = "a" },
                                    { increment = "counter", call = "5ns..50ns" }, { release = "a" } ] } ]
[[run]]
name = "threads"
executor = "threads"
)",
                                                       "two.toml");
    simulate_both_ways(s);
  }
  SUBCASE("steps past the last label (kNoStep) and a lock's with that costs nothing") {
    auto s = exact_scenario(1);
    s.costs.increment = 20_ns;
    s.costs.lock_with = 50_ns;
    s.python.switch_interval = 5_us;
    const auto lock = add_lock(s, "lock");
    const auto counter = add_counter(s, "counter");
    std::vector<scenario::Step> steps;
    add_with_statements(steps, lock, counter, 22'000, [](int k) { return Time{k % 3 * 10}; });
    add_jobs(s, "long", 2, steps);
    scenario::Run threads;
    threads.name = "threads";
    threads.executor = Executor::Threads;
    scenario::Run sequential;
    sequential.name = "sequential";
    sequential.executor = Executor::Sequential;
    s.runs = {threads, sequential};
    simulate_both_ways(s);
    s.costs.lock_with = 0_ns;
    simulate_both_ways(s);
  }
}

TEST_CASE("a thread alone runs its increments in one piece: each step its span at exact times, two counters in turn") {
  // One thread, one core, nothing else due. Increment k: 40 ns of bytecode and, for even k,
  // f()'s 30 ns; counters a and b in pairs (a, a, b, b, ...), so a run of one counter is
  // two steps. Step k's span ends where step k + 1's begins.
  auto s = exact_scenario(1);
  s.costs.increment = 40_ns;
  const auto a = add_counter(s, "a");
  const auto b = add_counter(s, "b", 5);
  std::vector<scenario::Step> steps;
  for (int k = 0; k < 150; ++k) steps.push_back(k % 2 == 0 ? increment(k % 4 < 2 ? a : b, 30_ns) : increment(k % 4 < 2 ? a : b));
  add_jobs(s, "plain", 1, steps);
  const trace::Trace t = simulate_with(s, Executor::Threads);
  const std::vector<trace::Span> running = spans_in(t, "T1", SpanState::Running);
  REQUIRE(running.size() == 150);
  Time at = running[0].begin;
  for (std::size_t k = 0; k < 150; ++k) {
    CAPTURE(k);
    CHECK(running[k].begin == at);
    at = at + (k % 2 == 0 ? 70_ns : 40_ns);
    CHECK(running[k].end == at);
    CHECK(running[k].step == k);
  }
  REQUIRE(t.counters.size() == 2);
  CHECK(t.counters[0].final_value == 76);
  CHECK(t.counters[0].updates == 76);
  CHECK(t.counters[1].final_value == 5 + 74);
  CHECK(t.counters[1].updates == 74);
  simulate_both_ways(s);
}

TEST_CASE("with statements in one piece whose with lasts past a record's longest gap: the lock's Held spans kept whole") {
  // The with statement's work 40 ms (past the 33.5 ms a record keeps of a gap, and 64 Held
  // spans a group reach past 4.3 s from its base): statement k runs from 40.00007 ms k, its
  // lock Held from 40 ms after that to 70 ns later.
  auto s = exact_scenario(1);
  s.costs.increment = 40_ns;
  s.costs.lock_with = 40_ms;
  const auto lock = add_lock(s, "lock");
  const auto counter = add_counter(s, "counter");
  std::vector<scenario::Step> steps;
  add_with_statements(steps, lock, counter, 140, [](int) { return 30_ns; });
  add_jobs(s, "slow with", 1, steps);
  const trace::Trace t = simulate_with(s, Executor::Threads);
  const std::vector<trace::Span> running = spans_in(t, "T1", SpanState::Running);
  REQUIRE(running.size() == 280);
  const Time start = running[0].begin;
  const Time statement = 40_ms + 70_ns;
  const std::vector<trace::Span> held = spans_in(t, "lock lock", SpanState::Held);
  REQUIRE(held.size() == 140);
  for (std::size_t k = 0; k < 140; ++k) {
    CAPTURE(k);
    const Time at = start + Time{statement.ns() * static_cast<std::int64_t>(k)};
    CHECK(running[2 * k].begin == at);
    CHECK(running[2 * k].end == at + 40_ms);
    CHECK(running[2 * k + 1].begin == at + 40_ms);
    CHECK(running[2 * k + 1].end == at + statement);
    CHECK(held[k].begin == at + 40_ms);
    CHECK(held[k].end == at + statement);
  }
  CHECK(t.counters[0].final_value == 140);
  simulate_both_ways(s);
}

TEST_CASE("statements in one piece that change lock or counter mid-run leave every trace as the step-by-step way makes it") {
  const scenario::Scenario s = scenario::load_string(R"(
title = "locks and counters in turn"
[machine]
cores = 2
[python]
switch_interval = "2us"
[locks]
a = "Lock"
b = "Lock"
[counters]
x = 0
y = 0
[[job]]
name = "turns"
count = 3
steps = [ { repeat = 120, steps = [ { acquire = "a" }, { increment = "x", call = "10ns..30ns" }, { release = "a" },
                                    { acquire = "a" }, { increment = "y", call = "10ns..30ns" }, { release = "a" },
                                    { acquire = "b" }, { increment = "x" }, { release = "b" },
                                    { increment = "x", call = "5ns..15ns" }, { increment = "y" }, { increment = "y", call = "1ns..9ns" },
                                    { acquire = "b" }, { increment = "y" }, { increment = "y" }, { release = "b" } ] } ]
[[job]]
name = "plain"
count = 2
steps = [ { repeat = 400, steps = [ { increment = "x", call = "5ns..25ns" }, { increment = "y" } ] } ]
[[run]]
name = "threads"
executor = "threads"
[[run]]
name = "one core"
executor = "threads"
cores = 1
[[run]]
name = "sequential"
executor = "sequential"
)",
                                                     "turns.toml");
  // Every statement stored once, in every run, either way: x 3 a repeat of each "turns" job
  // and 1 of each "plain" one's, y 5 and 1.
  const BothWays both = simulate_both_ways(s);
  for (const std::vector<trace::Trace>* runs : {&both.at_once, &both.long_way}) {
    for (const trace::Trace& t : *runs) {
      CAPTURE(t.run_name);
      REQUIRE(t.counters.size() == 2);
      CHECK(t.counters[0].updates == 3 * 120 * 3 + 400 * 2);
      CHECK(t.counters[1].updates == 5 * 120 * 3 + 400 * 2);
    }
  }
}

TEST_CASE("a stretch on a half-speed core takes its steps' costs at that speed, after one at full speed") {
  // T1 runs its job on core 0 (speed 1.0), then T2 its own on core 1 (0.5), each alone (its
  // job ends long before the 5 ms interval). Each job: 50 `with lock: counter += f()` (the
  // with 100 ns, the increment 40 ns and f()'s 30 ns), then 50 `counter += 1` (40 ns). On
  // core 1 every step takes twice as long. Its costs are not those kept from core 0.
  auto s = exact_scenario(2);
  s.machine.core_speeds = {1.0, 0.5};
  s.costs.increment = 40_ns;
  s.costs.lock_with = 100_ns;
  const auto lock = add_lock(s, "lock");
  const auto counter = add_counter(s, "counter");
  std::vector<scenario::Step> steps;
  add_with_statements(steps, lock, counter, 50, [](int) { return 30_ns; });
  for (int k = 0; k < 50; ++k) steps.push_back(increment(counter));
  add_jobs(s, "a", 1, steps);
  add_jobs(s, "b", 1, steps);
  const trace::Trace t = simulate_with(s, Executor::Threads);
  for (const auto& [lane, speed] : {std::pair{"T1", 1}, std::pair{"T2", 2}}) {
    CAPTURE(lane);
    std::vector<trace::Span> running;
    for (const trace::Span span : spans_in(t, lane, SpanState::Running)) {
      if (span.step != trace::kNoStep) running.push_back(span);
    }
    REQUIRE(running.size() == 150);
    for (std::size_t k = 0; k < running.size(); ++k) {
      CAPTURE(k);
      const trace::Span& span = running[k];
      const std::int64_t work = span.step >= 150 ? 40 : span.step % 3 == 0 ? 100 : 70;
      CHECK(span.step == (k < 100 ? k / 2 * 3 + k % 2 : k + 50));
      CHECK(span.end - span.begin == Time{work * speed});
      if (k > 0) CHECK(span.begin == running[k - 1].end);
    }
  }
  CHECK(t.counters[0].final_value == 200);
  simulate_both_ways(s);
}

TEST_CASE("a lock waiter's wake-ups are asides: the holder's stretch of with statements goes on past them") {
  // holder_and_waiter() with 8 statements and 11 us to wake: each release of T1's that finds
  // T2 queued wakes it (L3); T2 tries at 1012 us, inside statement 3's hold, and at 1024 us,
  // inside statement 7's, finds L held each time and queues again (L4). Neither wake-up nor
  // failed try touches T1: T1's stretch runs them in its midst, in their order
  // (Engine::run_asides()), and goes on. T1's last release, at 1025 us, wakes T2, which
  // takes L at 1036 us.
  const scenario::Scenario s = holder_and_waiter(11_us, 8);
  model::SimulationStats stats;
  const trace::Trace t = model::simulate(s, s.runs[0], &stats);

  check_holders(holders(t, "lock L"), holds_of_l(8, 1036_us));
  // T2's lane: waiting for L queued (no step), waiting out a wake-up (its acquire's step, 0),
  // queued again after each failed try, until it takes L.
  const std::vector<std::pair<Time, std::uint16_t>> waits{
      {2_us, trace::kNoStep}, {1001_us, 0}, {1012_us, trace::kNoStep}, {1013_us, 0}, {1024_us, trace::kNoStep}, {1025_us, 0}};
  const std::vector<trace::Span> waiting = spans_in(t, "T2", SpanState::WaitingLock);
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
  // The wake-up at 1001 us, the failed tries at 1012 and 1024 us and the wake-up at 1013 us
  // ran in T1's stretch: T1 took the GIL back at 1001 us with nobody waiting for it, a take
  // that asks for no drop deadline's look, so its stretch begins in that event. The wake-up
  // at T1's last release (1025 us) is an event of its own, T1's steps over.
  CHECK(stats.asides == 4);
  simulate_both_ways(s);
}

TEST_CASE("a wake-up whose wait ends as the holder's step ends is left to the loop: the step, begun first, ends first") {
  // holder_and_waiter() with 4 statements and 1 us to wake, the with statement's cost: T2,
  // woken at T1's release at r, tries at r + 1 us, the instant T1's next with statement ends
  // and takes L. That statement began at r, before T2's wake-up ran, so its end comes first
  // at the tie and T2 finds L held (L4), at each statement's take; it takes L at 1014 us,
  // woken by T1's last release. A stretch that ran the wake-up in its midst would set T2's
  // try before the statement's end: that wake-up is left to the loop, and the statement goes
  // the long way.
  const scenario::Scenario s = holder_and_waiter(1_us, 4);
  check_holders(holders(model::simulate(s, s.runs[0]), "lock L"), holds_of_l(4, 1014_us));
  simulate_both_ways(s);
}

TEST_CASE("asides leave every trace as the long way makes it, beside threads in and out of native code and I/O") {
  // Four threads' `with lock: counter += f()` and three readers that drop the GIL around
  // native work and I/O, on two to four cores: lock waiters woken and failing their tries in
  // the holders' stretches (asides), beside the GIL's hand-offs and cores given and left.
  // Asides need a wake that costs the releaser nothing and a try off the cores (L3, L8):
  // with the default costs each such release and try goes the long way, also checked.
  const char* const free_wakes = "[costs]\nlock_release_wake = \"0ns\"\nlock_woken_try = \"0ns\"\n";
  for (const auto& [wakes_cost, cores] : {std::pair{false, "2"}, std::pair{false, "3"}, std::pair{false, "4"},
                                         std::pair{true, "2"}, std::pair{true, "3"}, std::pair{true, "4"}}) {
    CAPTURE(cores);
    CAPTURE(wakes_cost);
    const scenario::Scenario s = scenario::load_string(std::string("title = \"asides\"\n") + (wakes_cost ? "" : free_wakes) + "[machine]\ncores = " + cores + R"(
[python]
switch_interval = "100us"
[locks]
lock = "Lock"
[counters]
counter = 0
[[job]]
name = "locked"
count = 4
steps = [ { repeat = 3000, steps = [ { acquire = "lock" }, { increment = "counter", call = "10ns..30ns" }, { release = "lock" } ] } ]
[[job]]
name = "reader"
count = 3
steps = [ { repeat = 200, steps = [ { native = "5us..40us" }, { io = "1us..3us" } ] } ]
[[run]]
name = "threads"
executor = "threads"
)",
                                                       "asides.toml");
    model::SimulationStats stats;
    model::simulate(s, s.runs[0], &stats);
    if (!wakes_cost) CHECK(stats.asides > 0);
    simulate_both_ways(s);
  }
}

TEST_CASE("a waiter that leaves its core to a thread queued for one is no aside: the queued thread's wait for the GIL stops the holder") {
  // Two cores; each with statement costs 1 us before the acquire (L7) and 4 us inside (the
  // increment's 1 us and f()'s 3 us); a GIL drop holds its mutex 3 us (G8b), twice that when
  // its signal wakes a thread on the other core (G8c); 5 us to a drop request (G2), 2 us to
  // wake for a lock (L3); the reader T3 reads 5 us and runs 4 us of Python, three times.
  // From 44 us: T2 takes the GIL, runs its first with (to 45 us), finds L held by T1, which
  // waits for the GIL holding it (forced out at 31 us inside its statement), and drops the
  // GIL (L2): its section on core 1 lasts to 51 us; T1 takes the GIL at the mutex's unlock,
  // 48 us, on core 0, and runs its statements (L held 49-53 us, then from 54 us). T3's read
  // ends at 49 us with both cores busy: it waits for a core, queued. At 51 us T2 tries L,
  // held: it queues and leaves core 1 (no aside: a thread waits for a core), T3 takes core 1
  // and waits for the GIL from 51 us, asking T1 to drop it at 56 us; T1 drops it at the end
  // of its increment, 58 us, holding L, and T3 runs from 61 us (the mutex's unlock) to 65 us.
  // T1 takes the GIL back at 68 us, releases L and ends; T2, woken, takes L at 70 us.
  // Run as an aside (Engine::leaves_core_quietly() answering yes), T2's leaving hands core 1
  // to T3 inside T1's stretch, whose wait for the GIL then stops nothing: T1 would release L
  // at 58 us.
  auto s = exact_scenario(2);
  s.python.switch_interval = 5_us;
  s.costs.gil_mutex_signal = 3_us;
  s.costs.lock_wake_latency = 2_us;
  s.costs.lock_with = 1_us;
  s.costs.increment = 1_us;
  const auto lock = add_lock(s, "L");
  const auto counter = add_counter(s, "counter");
  std::vector<scenario::Step> locked;
  add_with_statements(locked, lock, counter, 5, [](int) { return 3_us; });
  add_jobs(s, "locked", 2, locked);
  add_jobs(s, "reader", 1, {io(5_us), cpu(4_us), io(5_us), cpu(4_us), io(5_us), cpu(4_us)});
  const trace::Trace t = simulate_with(s, Executor::Threads);  // s.runs: the threads run

  const std::vector<Hold> l_holds = holders(t, "lock L");
  REQUIRE(l_holds.size() == 10);
  check_holders({l_holds.begin() + 3, l_holds.begin() + 7},
                {{49_us, 53_us, "T1"}, {54_us, 68_us, "T1"}, {70_us, 74_us, "T2"}, {75_us, 79_us, "T2"}});
  const std::vector<Hold> gil_holds = holders(t, "GIL");
  REQUIRE(gil_holds.size() == 9);
  check_holders({gil_holds.begin() + 5, gil_holds.end()},
                {{44_us, 45_us, "T2"}, {48_us, 58_us, "T1"}, {61_us, 65_us, "T3"}, {70_us, 94_us, "T2"}});
  const std::vector<trace::Span> t3_gil_waits = spans_in(t, "T3", SpanState::WaitingGil);
  REQUIRE(!t3_gil_waits.empty());
  CHECK(t3_gil_waits.back().begin == 51_us);
  CHECK(t3_gil_waits.back().end == 61_us);
  CHECK(spans_in(t, "T3", SpanState::Runnable).back().begin == 49_us);
  const auto requests = marks_of(t, trace::MarkKind::DropRequest);
  REQUIRE(!requests.empty());
  CHECK(requests.back()->at == 56_us);
  simulate_both_ways(s);
}

// A thread's stretch of `with lock: counter += f()` statements and increments run in one
// piece after its first step (SharedState::in_one_piece, docs/model.md U4): a hand-written
// timeline with exact times, and the same traces as the step-by-step way (a check at every
// event leaves a stretch no event to spare) where contention, a drop request, a sleeper's
// wake-up or a second lock comes in the middle of a stretch.
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

namespace {

std::vector<trace::Span> spans_in(const trace::Trace& t, std::string_view lane, SpanState state) {
  std::vector<trace::Span> out;
  for (const trace::Span span : lane_named(t, lane).spans) {
    if (span.state == state) out.push_back(span);
  }
  return out;
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
    for (int k = 0; k < statements; ++k) {
      steps.push_back(acquire(lock));
      steps.push_back(increment(counter, 30_ns));
      steps.push_back(release(lock));
    }
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
    for (int k = 0; k < 22'000; ++k) {
      steps.push_back(acquire(lock));
      steps.push_back(increment(counter, Time{k % 3 * 10}));
      steps.push_back(release(lock));
    }
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

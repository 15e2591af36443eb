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

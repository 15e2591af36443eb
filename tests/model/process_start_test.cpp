// Starting worker processes the way CPython does (docs/model.md, P4): fork is a short call
// in the parent, one after another; each child then readies itself on its own core.
#include <doctest/doctest.h>

#include <algorithm>
#include <optional>

#include "tests/model/model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::test;
using trace::SpanState;

namespace {

/// Pool(1).map of one 10 ms job, with the scenario's costs and start method (the version's
/// default unless given).
trace::Trace one_job_on_one_worker(scenario::Scenario& s, std::optional<scenario::StartMethod> method = {}) {
  add_jobs(s, "crunch", 1, {cpu(10_ms)});
  auto run = process_pool_run(1, std::nullopt);
  run.start_method = method;
  s.runs = {run};
  return model::simulate(s, s.runs[0]);
}

}  // namespace

TEST_CASE("fork costs the parent a little per worker; the children get ready in parallel") {
  // Hand timeline, 4 cores, other costs zero: the parent forks worker 1 at 0-1 ms and
  // worker 2 at 1-2 ms (os.fork() returns in the parent at once); worker 1 readies itself
  // 1-4 ms, worker 2 2-5 ms, on their own cores. Each then runs one 10 ms job: 4-14, 5-15.
  auto s = exact_scenario(4);
  s.costs.fork_start = 1_ms;
  s.costs.fork_call = 1_ms;  // the child starts when the whole start has returned
  s.costs.fork_child_start = 3_ms;
  add_jobs(s, "crunch", 2, {cpu(10_ms)});
  s.runs = {process_pool_run(2)};
  const auto t = model::simulate(s, s.runs[0]);
  CHECK(time_in(lane_named(t, "main"), SpanState::Starting) == 2_ms);
  CHECK(time_in(lane_named(t, "worker 1"), SpanState::Starting) == 3_ms);
  CHECK(time_in(lane_named(t, "worker 2"), SpanState::Starting) == 3_ms);
  CHECK(t.jobs[0].begin == 4_ms);
  CHECK(t.jobs[0].end == 14_ms);
  CHECK(t.jobs[1].begin == 5_ms);
  CHECK(t.jobs[1].end == 15_ms);
}

TEST_CASE("Pool() returns after its set-up; leaving the with-block ends and joins the workers") {
  // Hand timeline, 2 cores: the parent forks worker 1 (0-1 ms), then Pool()'s pipes, locks
  // and handler threads (1-2); the worker readies itself 1-3. map() sends the one chunk at 2;
  // the worker runs the job 3-13; the result handler has it at 13. terminate(): the worker
  // ends in 1 ms (13-14) and the parent's join returns then: the run ends at 14, not 13.
  auto s = exact_scenario(2);
  s.costs.fork_start = 1_ms;
  s.costs.fork_call = 1_ms;  // the child starts when the whole start has returned
  s.costs.fork_child_start = 2_ms;
  s.costs.pool_setup = 1_ms;
  s.costs.process_exit = 1_ms;
  const auto t = one_job_on_one_worker(s);
  CHECK(time_in(lane_named(t, "main"), SpanState::Starting) == 2_ms);
  const auto dispatches = marks_of(t, trace::MarkKind::Dispatch);
  REQUIRE(dispatches.size() == 1);
  CHECK(dispatches[0]->at == 2_ms);
  CHECK(t.jobs[0].begin == 3_ms);
  CHECK(t.jobs[0].end == 13_ms);
  CHECK(time_in(lane_named(t, "worker 1"), SpanState::Native) == 1_ms);
  CHECK(t.end == 14_ms);
}

TEST_CASE("a Pool of twenty forked workers is ready far sooner than twenty serial starts") {
  // The defaults on 2 cores: 20 forks of fork_start (1.23 ms; the first 0.32 ms more, P4d)
  // in the parent, one after another, then Pool()'s set-up (1.91 ms), and 20 children readying themselves on the two
  // cores meanwhile; at the end, 20 process ends of 0.5 ms on two cores. Before, the parent
  // paid 5 ms per worker (100 ms) and the children nothing.
  scenario::Scenario s;
  s.machine.cores = 2;
  add_jobs(s, "tiny", 20, {cpu(10_us)});
  s.runs = {process_pool_run(20, std::nullopt)};
  const auto t = model::simulate(s, s.runs[0]);
  const Time forking = time_in(lane_named(t, "main"), SpanState::Starting);
  const Time parent = 20 * s.costs.fork_start + s.costs.fork_first_extra + s.costs.pool_setup;
  CHECK(forking >= parent);
  CHECK(forking <= parent + 20 * s.machine.context_switch);  // children take its core now and then
  // Then the handler threads' starts and the first task's wake-ups (P4b): the result
  // handler, blocked in its read until the first result, waits for a core behind the twenty
  // workers' first messages (about 4 ms). And since a child readies itself in more CPU
  // (fork_child_start, 1.32 ms) than the parent's next start takes (fork_start, 1.23 ms),
  // the children fall behind on the other core and take the parent's now and then (P4c:
  // its starts end some 1.8 ms later than their CPU alone).
  CHECK(t.end < parent + s.costs.fork_child_start + 10 * s.costs.process_exit + 8_ms);
}

TEST_CASE("a forked child starts when os.fork() returns, while the parent pays the rest of its start") {
  // Hand timeline, 4 cores, other costs zero: Process.start() costs the parent 1 ms, of which
  // os.fork() is the first 0.25 ms; the child readies itself from 0.25 ms (2 ms, to 2.25),
  // while the parent goes on to 1 ms and Pool()'s set-up to 1.5 ms. The task is sent at
  // 1.5 ms; the worker runs the job 2.25-12.25 ms, not after the parent's whole start.
  auto s = exact_scenario(4);
  s.costs.fork_start = 1_ms;
  s.costs.fork_call = 250_us;
  s.costs.fork_child_start = 2_ms;
  s.costs.pool_setup = 500_us;
  const auto t = one_job_on_one_worker(s);
  CHECK(time_in(lane_named(t, "main"), SpanState::Starting) == 1500_us);
  const auto& worker = lane_named(t, "worker 1");
  REQUIRE_FALSE(worker.spans.empty());
  CHECK(worker.spans.front().state == SpanState::Starting);
  CHECK(worker.spans.front().begin == 250_us);
  CHECK(worker.spans.front().end == 2250_us);
  const auto dispatches = marks_of(t, trace::MarkKind::Dispatch);
  REQUIRE(dispatches.size() == 1);
  CHECK(dispatches[0]->at == 1500_us);
  CHECK(t.jobs[0].begin == 2250_us);
  CHECK(t.jobs[0].end == 12250_us);
}

TEST_CASE("a spawn costs the parent spawn_call, and the resource tracker readies itself in tracker_start") {
  // Hand timeline, 4 cores, other costs zero, Pool(1) with spawn: the first start spawns the
  // resource tracker (the parent's spawn_call, 0-0.5 ms; the tracker readies itself 0.5-4.5
  // ms on a core of its own), then worker 1 (0.5-1 ms, posix_spawn returning at its end); the
  // worker readies itself 1-11 ms. Neither start costs the parent fork_start (2 ms, fork's);
  // the tracker costs tracker_start, not a worker's spawn_start. The job runs 11-21 ms.
  auto s = exact_scenario(4);
  s.costs.fork_start = 2_ms;
  s.costs.fork_call = 500_us;
  s.costs.spawn_call = 500_us;
  s.costs.spawn_start = 10_ms;
  s.costs.tracker_start = 4_ms;
  const auto t = one_job_on_one_worker(s, scenario::StartMethod::Spawn);
  CHECK(time_in(lane_named(t, "main"), SpanState::Starting) == 1_ms);
  const auto& tracker = lane_named(t, "resource tracker");
  REQUIRE_FALSE(tracker.spans.empty());
  CHECK(tracker.spans.front().begin == 500_us);
  CHECK(time_in(tracker, SpanState::Starting) == 4_ms);
  const auto& worker = lane_named(t, "worker 1");
  REQUIRE_FALSE(worker.spans.empty());
  CHECK(worker.spans.front().state == SpanState::Starting);
  CHECK(worker.spans.front().begin == 1_ms);
  CHECK(worker.spans.front().end == 11_ms);
  CHECK(t.jobs[0].begin == 11_ms);
  CHECK(t.jobs[0].end == 21_ms);
}

TEST_CASE("a spawn's parent waits until the child has exec'd, so the start waits for a core with the child") {
  // Hand timeline, 1 core (3 ms quantum), other costs zero, Pool(1) with spawn: posix_spawn
  // (vfork) suspends the parent until the child has exec'd (its first spawn_exec, 0.5 ms).
  //   0-0.5    main: the tracker's spawn_call
  //   0.5-1    the tracker's exec, main blocked; main then waits for the core
  //   1-3.5    the tracker readies itself until its quantum (from 0.5) ends
  //   3.5-4    main: worker 1's spawn_call; main blocks, the tracker (queued first) has the core
  //   4-7      the tracker; worker 1's exec waits for the core behind it
  //   7-7.5    worker 1's exec; main is released at 7.5
  // Main's start took 4 ms of blocking for 1 ms of CPU; worker 1 readies itself from 7 ms.
  auto s = exact_scenario(1);
  s.costs.spawn_call = 500_us;
  s.costs.spawn_exec = 500_us;
  s.costs.spawn_start = 10_ms;
  s.costs.tracker_start = 20_ms;
  const auto t = one_job_on_one_worker(s, scenario::StartMethod::Spawn);
  const auto& main = lane_named(t, "main");
  CHECK(time_in(main, SpanState::Starting) == 1_ms);
  CHECK(time_in(main, SpanState::BlockedIo) == 4_ms);
  const auto& tracker = lane_named(t, "resource tracker");
  CHECK(time_in(tracker, SpanState::Starting) == 20_ms);
  const auto& worker = lane_named(t, "worker 1");
  const auto first_start = std::find_if(worker.spans.begin(), worker.spans.end(),
                                         [](const auto& span) { return span.state == SpanState::Starting; });
  REQUIRE(first_start != worker.spans.end());
  CHECK(first_start->begin == 7_ms);
  CHECK(time_in(worker, SpanState::Starting) == 10_ms);
}

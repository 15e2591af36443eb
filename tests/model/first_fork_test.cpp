// A program's first fork start costs more than its later ones (docs/model.md P4d): the parent's
// Process.start(), its os.fork() and the child's start, each measured apart for the first
// start of a fresh interpreter and for the later ones.
#include <doctest/doctest.h>

#include "tests/model/model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::test;
using trace::SpanState;

namespace {

/// The later starts' costs and the first start's extras of the hand timelines below.
scenario::Scenario first_and_later(int cores) {
  auto s = exact_scenario(cores);
  s.costs.fork_start = 1_ms;
  s.costs.fork_call = 500_us;
  s.costs.fork_child_start = 2_ms;
  s.costs.fork_first_extra = 1_ms;
  s.costs.fork_first_call_extra = 250_us;
  s.costs.fork_first_child_extra = 500_us;
  return s;
}

}  // namespace

TEST_CASE("a Pool's first fork start costs the parent, its os.fork() and the child more than the next") {
  // Hand timeline, 4 cores, other costs zero: the first Process.start() costs the parent
  // 1 + 1 ms (0-2 ms), its os.fork() 0.5 + 0.25 ms, so the first child readies itself from
  // 0.75 ms for 2 + 0.5 ms (to 3.25); the second start costs 1 ms (2-3), its fork returns at
  // 2.5 and that child readies itself for 2 ms (to 4.5). Pool() returns at 3 ms with both
  // tasks sent; each worker takes one as it is ready: 3.25-13.25 and 4.5-14.5 ms.
  auto s = first_and_later(4);
  add_jobs(s, "crunch", 2, {cpu(10_ms)});
  s.runs = {process_pool_run(2)};
  const auto t = model::simulate(s, s.runs[0]);
  CHECK(time_in(lane_named(t, "main"), SpanState::Starting) == 3_ms);
  const auto& first = lane_named(t, "worker 1");
  REQUIRE_FALSE(first.spans.empty());
  CHECK(first.spans.front().state == SpanState::Starting);
  CHECK(first.spans.front().begin == 750_us);
  CHECK(first.spans.front().end == 3250_us);
  const auto& second = lane_named(t, "worker 2");
  REQUIRE_FALSE(second.spans.empty());
  CHECK(second.spans.front().state == SpanState::Starting);
  CHECK(second.spans.front().begin == 2500_us);
  CHECK(second.spans.front().end == 4500_us);
  CHECK(t.jobs[0].begin == 3250_us);
  CHECK(t.jobs[0].end == 13250_us);
  CHECK(t.jobs[1].begin == 4500_us);
  CHECK(t.jobs[1].end == 14500_us);
  // "main started worker 1, which took 2.50 ms": each spawn mark sits where the child's
  // starting bar begins and says how long that bar is, not the os.fork() before it.
  const auto spawns = marks_of(t, trace::MarkKind::Spawn);
  REQUIRE(spawns.size() >= 2);
  CHECK(spawns[0]->at == 750_us);
  CHECK(spawns[0]->value == (2500_us).ns());
  CHECK(spawns[1]->at == 2500_us);
  CHECK(spawns[1]->value == (2_ms).ns());
}

TEST_CASE("one Process per job: only the program's first start pays the first start's extras") {
  // Hand timeline, 4 cores: three Process.start() calls, 0-2, 2-3 and 3-4 ms; the children
  // ready themselves 0.75-3.25, 2.5-4.5 and 3.5-5.5 ms and each runs its 10 ms job then.
  auto s = first_and_later(4);
  add_jobs(s, "crunch", 3, {cpu(10_ms)});
  scenario::Run run;
  run.executor = scenario::Executor::Processes;
  s.runs = {run};
  const auto t = model::simulate(s, s.runs[0]);
  CHECK(time_in(lane_named(t, "main"), SpanState::Starting) == 4_ms);
  CHECK(t.jobs[0].begin == 3250_us);
  CHECK(t.jobs[1].begin == 4500_us);
  CHECK(t.jobs[2].begin == 5500_us);
  CHECK(t.jobs[2].end == 15500_us);
}

TEST_CASE("the first start's extras are fork's: a spawned Pool pays none of them") {
  // Spawn with the same extras set: its starts are spawn_call and spawn_start alone (P4).
  auto s = first_and_later(4);
  s.costs.spawn_call = 1_ms;
  s.costs.spawn_start = 5_ms;
  add_jobs(s, "crunch", 1, {cpu(10_ms)});
  auto run = process_pool_run(1, std::nullopt);
  run.start_method = scenario::StartMethod::Spawn;
  s.runs = {run};
  const auto t = model::simulate(s, s.runs[0]);
  // The resource tracker's launch (0-1 ms) and the worker's (1-2 ms), then the worker's 5 ms
  // start from 2 ms: its job runs 7-17 ms.
  CHECK(time_in(lane_named(t, "main"), SpanState::Starting) == 2_ms);
  CHECK(t.jobs[0].begin == 7_ms);
}

TEST_CASE("forkserver: the parent's request to its server costs forkserver_request, not a thread's start") {
  // Hand timeline, 4 cores, other costs zero: the parent's Process.start() asks the server for
  // a child (0.3 ms of its CPU); the server, spawned at 0, starts on a core of its own (5 ms),
  // then forks the child, which readies itself for 2 ms: its job runs 7-17 ms. thread_start
  // (1 ms here) is another cost and must not reach it.
  auto s = exact_scenario(4);
  s.costs.thread_start = 1_ms;
  s.costs.forkserver_request = 300_us;
  s.costs.spawn_start = 5_ms;
  s.costs.forkserver_start = 2_ms;
  add_jobs(s, "crunch", 1, {cpu(10_ms)});
  scenario::Run run;
  run.executor = scenario::Executor::Processes;
  run.start_method = scenario::StartMethod::Forkserver;
  s.runs = {run};
  const auto t = model::simulate(s, s.runs[0]);
  CHECK(time_in(lane_named(t, "main"), SpanState::Starting) == 300_us);
  CHECK(t.jobs[0].begin == 7_ms);
  CHECK(t.jobs[0].end == 17_ms);
}

TEST_CASE("forkserver: the server's start is a fresh interpreter's, on a core, and the parent reads each child's pid") {
  // Hand timeline, 2 cores, other costs zero (docs/model.md P4): the first Process.start()
  // spawns the server at 0 (the resource tracker too, at no cost here); the server readies a
  // fresh interpreter on the second core, 0-5 ms, CPU as a spawned worker's start is. The
  // parent asks for a child (0.3 ms of its CPU) and then blocks in read_signed() without its
  // GIL until the server is up and its os.fork() (fork_call, 0.4 ms) returns: 0.3-5.4 ms. The
  // child readies itself for 2 ms (5.4-7.4) and runs its job, 7.4-17.4 ms. The server's start
  // was a wait on no core: a core idled through it, and on one core forkserver came out ahead
  // of spawn.
  auto s = exact_scenario(2);
  s.costs.forkserver_request = 300_us;
  s.costs.spawn_start = 5_ms;
  s.costs.forkserver_start = 2_ms;
  s.costs.fork_call = 400_us;
  add_jobs(s, "crunch", 1, {cpu(10_ms)});
  scenario::Run run;
  run.executor = scenario::Executor::Processes;
  run.start_method = scenario::StartMethod::Forkserver;
  s.runs = {run};
  const auto t = model::simulate(s, s.runs[0]);
  const auto& server = lane_named(t, "forkserver");
  REQUIRE(server.spans.size() == 1);
  CHECK(server.spans[0].state == SpanState::Starting);
  CHECK(server.spans[0].begin == 0_ms);
  CHECK(server.spans[0].end == 5_ms);
  Time busy = Time::zero();
  for (const auto& lane : t.lanes) {
    if (lane.kind == trace::LaneKind::Core) busy += time_in(lane, SpanState::Starting);
  }
  CHECK(busy == 5_ms + 300_us + 2_ms);  // the server's, the request's and the child's starts
  const auto& main = lane_named(t, "main");
  CHECK(time_in(main, SpanState::Starting) == 300_us);
  CHECK(time_in(main, SpanState::BlockedIo) == 5_ms + 100_us);
  CHECK(t.jobs[0].begin == 7_ms + 400_us);
  CHECK(t.jobs[0].end == 17_ms + 400_us);
}

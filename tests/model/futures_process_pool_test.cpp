// concurrent.futures.ProcessPoolExecutor against multiprocessing.Pool (docs/model.md P9):
// workers on demand, a call queue of max_workers + 1, chunksize 1, shutdown at the end.
#include <doctest/doctest.h>

#include "tests/model/model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::test;
using scenario::Executor;
using trace::MarkKind;
using trace::SpanState;

namespace {

scenario::Run executor_run(int workers, scenario::StartMethod method) {
  scenario::Run run;
  run.executor = Executor::ProcessPoolExecutor;
  run.workers = workers;
  run.start_method = method;
  return run;
}

std::vector<Time> dispatch_times(const trace::Trace& t) {
  std::vector<Time> at;
  for (const auto& m : marks_of(t, MarkKind::Dispatch)) at.push_back(m->at);
  return at;
}

}  // namespace

TEST_CASE("with spawn, ProcessPoolExecutor starts a worker per submit, only while none is idle") {
  // Hand timeline, 4 cores, max_workers=4, two jobs of 10 ms, other costs zero but these.
  // submit 1 at 0: the resource tracker's spawn and worker 1's cost the parent 1 ms each
  // (0-2); the tracker readies itself 1-11, worker 1 2-12. The executor's pipes, locks and
  // manager thread: 2-3. submit 2 at 3: no idle worker, so worker 2 starts (3-4) and
  // readies itself 4-14. The manager, started at 3, has the GIL at 4 when main waits, and
  // puts both calls in the call queue at 4. Jobs: 12-22 and 14-24. shutdown(): a None per
  // worker at 24, each worker ends in 1 ms (24-25), the manager joins them: the end is 25.
  auto s = exact_scenario(4);
  s.costs.fork_start = 1_ms;
  s.costs.fork_call = 1_ms;  // the child starts when the whole start has returned
  s.costs.spawn_call = 1_ms;
  s.costs.spawn_start = 10_ms;
  s.costs.tracker_start = 10_ms;
  s.costs.pool_setup = 1_ms;
  s.costs.process_exit = 1_ms;
  add_jobs(s, "crunch", 2, {cpu(10_ms)});
  s.runs = {executor_run(4, scenario::StartMethod::Spawn)};
  const auto t = model::simulate(s, s.runs[0]);
  CHECK(t.processes.size() == 4);  // main, the resource tracker and two workers of four
  CHECK(time_in(lane_named(t, "main"), SpanState::Starting) == 4_ms);
  CHECK(time_in(lane_named(t, "resource tracker"), SpanState::Starting) == 10_ms);
  CHECK(dispatch_times(t) == std::vector<Time>{4_ms, 4_ms});
  CHECK(t.jobs[0].begin == 12_ms);
  CHECK(t.jobs[0].end == 22_ms);
  CHECK(t.jobs[1].begin == 14_ms);
  CHECK(t.jobs[1].end == 24_ms);
  CHECK(time_in(lane_named(t, "worker 1"), SpanState::Native) == 1_ms);  // its end (P8)
  CHECK(t.end == 25_ms);

  SUBCASE("with fork, every worker is forked at the first submit") {
    s.runs = {executor_run(4, scenario::StartMethod::Fork)};
    const auto forked = model::simulate(s, s.runs[0]);
    CHECK(forked.processes.size() == 5);  // main and four workers; no resource tracker
    CHECK(time_in(lane_named(forked, "main"), SpanState::Starting) == 5_ms);  // four forks, then the set-up
  }
}

TEST_CASE("the call queue holds max_workers + 1 calls; the manager tops it up when a result wakes it") {
  // Hand timeline, 2 cores, one forked worker, five jobs of 10 ms (chunksize 1): submit 1
  // forks the worker (0-1; it readies itself 1-3), the set-up is 1-2, submits 2-5 at 2.
  // The manager puts two calls in the queue at 2 (max_workers + 1 = 2), not five. The
  // worker takes one at 3 and runs it 3-13; at 13 it sends its result and takes the second
  // call; the result wakes the manager, which finds the queue empty and puts two more in;
  // at 23 the last. Calls go out at 2, 2, 13, 13, 23; the last job ends at 53.
  auto s = exact_scenario(2);
  s.costs.fork_start = 1_ms;
  s.costs.fork_call = 1_ms;  // the child starts when the whole start has returned
  s.costs.fork_child_start = 2_ms;
  s.costs.pool_setup = 1_ms;
  add_jobs(s, "crunch", 5, {cpu(10_ms)});
  s.runs = {executor_run(1, scenario::StartMethod::Fork)};
  const auto t = model::simulate(s, s.runs[0]);
  CHECK(dispatch_times(t) == std::vector<Time>{2_ms, 2_ms, 13_ms, 13_ms, 23_ms});
  CHECK(t.jobs[0].begin == 3_ms);
  CHECK(t.jobs[4].end == 53_ms);
  CHECK(t.end == 53_ms);
}

TEST_CASE("ProcessPoolExecutor.map sends one call per job by default, Pool.map chunks") {
  scenario::Scenario s;
  s.machine.cores = 2;
  add_jobs(s, "tiny", 100, {cpu(1_ms)});
  scenario::Run pool;
  pool.executor = Executor::ProcessPool;
  s.runs = {pool, executor_run(2, scenario::StartMethod::Fork)};
  CHECK(scenario::effective_chunksize(s, s.runs[1]) == 1);
  const auto by_pool = model::simulate(s, s.runs[0]);
  const auto by_executor = model::simulate(s, s.runs[1]);
  CHECK(marks_of(by_pool, MarkKind::Dispatch).size() == 8);
  CHECK(marks_of(by_executor, MarkKind::Dispatch).size() == 100);
  CHECK(by_executor.jobs.size() == 100);
  for (const auto& job : by_executor.jobs) CHECK(job.end > job.begin);
}

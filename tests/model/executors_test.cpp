// Executors: what each way of running the same jobs costs (docs/model.md T, A and P rules).
#include <doctest/doctest.h>

#include "model_fixtures.hpp"

using namespace gilsim;
using namespace gilsim::test;
using scenario::Executor;
using trace::MarkKind;
using trace::SpanState;

TEST_CASE("twenty 100 ms downloads: 2 s one after another, about 100 ms with threads or asyncio") {
  scenario::Scenario s;
  s.machine.cores = 4;
  add_jobs(s, "download", 20, {io(100_ms)});
  const auto seq = simulate_with(s, Executor::Sequential);
  CHECK(seq.end >= 2000_ms);
  CHECK(seq.end <= 2001_ms);
  const auto threads = simulate_with(s, Executor::Threads);
  CHECK(threads.end >= 100_ms);
  CHECK(threads.end <= 100_ms + 20 * s.costs.thread_start + 1_ms);
  const auto loop = simulate_with(s, Executor::Asyncio);
  CHECK(loop.end >= 100_ms);
  CHECK(loop.end <= 100_ms + 40 * s.costs.loop_callback + 1_ms);
}

TEST_CASE("a thread pool overlaps as many waits as it has workers") {
  // Exact costs but the default 20 us bootstrap (T1a): submit() of the first job starts
  // worker 1, which bootstraps 0 - 20 and takes the job; submit() of the second, from 20,
  // starts worker 2, bootstrapping 20 - 40; the six others wait in the queue. Each worker
  // then runs four 100 ms waits back to back: worker 1 ends at 400.020 ms, worker 2 at
  // 400.040 ms, ceil(8 / 2) * 100 ms after its bootstrap.
  auto s = exact_scenario(4);
  s.costs.thread_bootstrap = 20_us;
  add_jobs(s, "download", 8, {io(100_ms)});
  scenario::Run run;
  run.executor = Executor::ThreadPool;
  run.workers = 2;
  s.runs = {run};
  const auto t = model::simulate(s, s.runs[0]);
  REQUIRE(t.jobs.size() == 8);
  CHECK(t.jobs[0].begin == 20_us);
  CHECK(t.jobs[1].begin == 40_us);
  CHECK(t.jobs[6].end == 400'020_us);
  CHECK(t.jobs[7].end == 400'040_us);
  CHECK(t.end == 400'040_us);
  int workers = 0;
  for (const auto& lane : t.lanes) workers += lane.name.rfind("worker", 0) == 0 ? 1 : 0;
  CHECK(workers == 2);
}

TEST_CASE("a blocking call in a coroutine delays every other task by its length") {
  const auto finish_times = [](scenario::Step first) {
    auto s = exact_scenario(2);
    add_jobs(s, "first", 1, {first});
    add_jobs(s, "other", 2, {sleep_for(10_ms), cpu(1_ms)});
    const auto t = simulate_with(s, Executor::Asyncio);
    return std::vector<Time>{t.jobs[1].end, t.jobs[2].end};
  };
  // Awaited: the other tasks sleep 10 ms, then run 1 ms each on the loop.
  CHECK(finish_times(io(100_ms)) == std::vector<Time>{11_ms, 12_ms});
  // time.sleep inside a coroutine: the loop itself is stuck for 100 ms (A5).
  CHECK(finish_times(block(100_ms)) == std::vector<Time>{111_ms, 112_ms});
}

TEST_CASE("asyncio runs one task at a time, in ready-queue order") {
  auto s = exact_scenario(4);
  add_jobs(s, "task", 3, {cpu(10_ms), io(5_ms), cpu(10_ms)});
  const auto t = simulate_with(s, Executor::Asyncio);
  // 0-30 ms: the three first halves; each I/O is done 5 ms after its task awaited it.
  CHECK(t.jobs[0].end == 40_ms);
  CHECK(t.jobs[1].end == 50_ms);
  CHECK(t.jobs[2].end == 60_ms);
  CHECK(lane_named(t, "task 1").kind == trace::LaneKind::Task);
  // Hand timeline: the loop runs the three callbacks ready at 0 in one iteration (A3e), then
  // polls at 30 ms and finds tasks 1 and 2's reads done (at 15 and 25 ms), runs them one
  // after the other, and polls at 50 ms for task 3's (done at 35 ms). A read done while the
  // loop runs callbacks is unseen until that poll (A3d): the row reads 'awaiting' until then.
  using Spans = std::vector<std::pair<Time, Time>>;
  const auto spans_of = [&](std::string_view lane, SpanState state) {
    Spans out;
    for (const auto& span : lane_named(t, lane).spans) {
      if (span.state == state && span.end > span.begin) out.emplace_back(span.begin, span.end);
    }
    return out;
  };
  CHECK(spans_of("task 1", SpanState::Awaiting) == Spans{{10_ms, 30_ms}});
  CHECK(spans_of("task 1", SpanState::Ready).empty());
  CHECK(spans_of("task 2", SpanState::Awaiting) == Spans{{20_ms, 30_ms}});
  CHECK(spans_of("task 2", SpanState::Ready) == Spans{{0_ms, 10_ms}, {30_ms, 40_ms}});
  CHECK(spans_of("task 3", SpanState::Awaiting) == Spans{{30_ms, 50_ms}});
  CHECK(spans_of("task 3", SpanState::Ready) == Spans{{0_ms, 20_ms}});
}

TEST_CASE("to_thread work runs on the default executor and competes for the GIL") {
  auto s = exact_scenario(4);
  add_jobs(s, "offloaded", 2, {scenario::Step{scenario::StepKind::Offload, scenario::Duration::fixed(20_ms),
                                               scenario::StepKind::Cpu}});
  const auto t = simulate_with(s, Executor::Asyncio);
  CHECK(t.end >= 40_ms);  // two CPU-bound offloads share one GIL
  CHECK_NOTHROW(lane_named(t, "asyncio_0"));
  CHECK_NOTHROW(lane_named(t, "asyncio_1"));
}

TEST_CASE("asyncio's default executor starts each worker as Thread.start() does: it waits for the bootstrap (T1a)") {
  // Hand timeline, 4 cores, exact costs but a 10 us thread start and a 20 us bootstrap. Two
  // tasks each await to_thread of a 100 ms blocking wait (run_in_executor(None, ...): a
  // concurrent.futures.ThreadPoolExecutor, whose submit() queues the item and then starts a
  // worker with Thread.start()).
  //   0 - 10       the loop runs task 1: its item queued, asyncio_0's start under the GIL;
  //   10 - 30      the loop waits in start() without the GIL; asyncio_0 takes a core and the
  //                GIL and bootstraps, then takes task 1's item and drops the GIL for its
  //                wait, 30 to 100.030 ms;
  //   30 - 40      the loop, the GIL back, runs task 2: no idle worker, asyncio_1's start;
  //   40 - 60      asyncio_1 bootstraps, then waits 60 to 100.060 ms;
  //   100.030      asyncio_0 hands task 1 its result and the loop ends it; task 2 at 100.060.
  auto s = exact_scenario(4);
  s.costs.thread_start = 10_us;
  s.costs.thread_bootstrap = 20_us;
  add_jobs(s, "offloaded", 2, {scenario::Step{scenario::StepKind::Offload, scenario::Duration::fixed(100_ms),
                                               scenario::StepKind::Io}});
  const auto t = simulate_with(s, Executor::Asyncio);
  REQUIRE(t.jobs.size() == 2);
  CHECK(t.jobs[0].end == 100'030_us);
  CHECK(t.jobs[1].end == 100'060_us);
  CHECK(t.end == 100'060_us);
  const auto spans_of = [&](std::string_view lane, SpanState state) {
    std::vector<std::pair<Time, Time>> out;
    for (const auto& span : lane_named(t, lane).spans) {
      if (span.state == state && span.end > span.begin) out.emplace_back(span.begin, span.end);
    }
    return out;
  };
  using Spans = std::vector<std::pair<Time, Time>>;
  CHECK(spans_of("event loop", SpanState::Starting) == Spans{{0_us, 10_us}, {30_us, 40_us}});
  CHECK(spans_of("asyncio_0", SpanState::Starting) == Spans{{10_us, 30_us}});
  CHECK(spans_of("asyncio_0", SpanState::BlockedIo) == Spans{{30_us, 100'030_us}});
  CHECK(spans_of("asyncio_1", SpanState::Starting) == Spans{{40_us, 60_us}});
  CHECK(spans_of("asyncio_1", SpanState::BlockedIo) == Spans{{60_us, 100'060_us}});
}

TEST_CASE("an executor's idle worker woken by a new item runs after G8's wake-up, then takes the GIL (G8a)") {
  // One task: to_thread of a 1 ms wait, a 1 ms sleep, to_thread of another. Its second item
  // finds asyncio_0 blocked in the queue's get() (a lock, without the GIL): the worker is
  // runnable for the 5 us wake-up (G8's draw fixed at [5, 5] us) from the put, and only
  // then takes the GIL and starts the wait. Before, it started the wait at the put.
  auto s = exact_scenario(4);
  s.costs.wake_poll_min = 5_us;
  s.costs.wake_poll_max = 5_us;
  const scenario::Step offloaded{scenario::StepKind::Offload, scenario::Duration::fixed(1_ms), scenario::StepKind::Io};
  add_jobs(s, "offloaded", 1, {offloaded, sleep_for(1_ms), offloaded});
  const auto t = simulate_with(s, Executor::Asyncio);
  const auto& worker = lane_named(t, "asyncio_0");
  std::vector<trace::Span> spans;
  for (const auto& span : worker.spans) {
    if (span.end > span.begin) spans.push_back(span);
  }
  std::vector<std::size_t> waits;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (spans[i].state == SpanState::BlockedIo) waits.push_back(i);
  }
  REQUIRE(waits.size() == 2);
  const std::size_t second = waits[1];
  REQUIRE(second > 0);
  CHECK(spans[second - 1].state == SpanState::Runnable);
  CHECK(spans[second - 1].end - spans[second - 1].begin == 5_us);
  CHECK(spans[second - 1].end == spans[second].begin);
  CHECK(spans[second].end - spans[second].begin == 1_ms);
}

TEST_CASE("a process pool runs CPU-bound work in parallel, one GIL per worker") {
  scenario::Scenario s;
  add_jobs(s, "crunch", 4, {cpu(100_ms)});
  scenario::Run run;
  run.executor = Executor::ProcessPool;
  s.runs = {run};
  for (const int cores : {4, 2}) {
    CAPTURE(cores);
    s.machine.cores = cores;
    const auto t = model::simulate(s, s.runs[0]);
    const Time work = 100_ms * (4 / cores);
    // The parent forks the workers one after another; the last one readies itself after.
    const Time startup = s.costs.fork_start * cores + s.costs.fork_child_start;
    CHECK(t.end >= work + startup);
    // pickling, wake-ups; and the first message each way of the task handler, of a worker
    // and of the result handler costs more (P7); a handler thread woken beside a busy
    // worker with no lag waits for the worker's protected slice, a quantum at most (S3)
    const Time first_messages = 4 * (s.costs.ipc_first_syscall + s.costs.ipc_first_pickle);
    CHECK(t.end <= work + startup + first_messages + s.machine.quantum + 2_ms);
    CHECK(t.processes.size() == static_cast<std::size_t>(cores + 1));
  }
}

TEST_CASE("spawn pays a fresh interpreter per worker, in parallel on the workers' cores") {
  // Three workers and the resource tracker (a fresh interpreter too) on four cores: all
  // ready at 50 ms, the jobs end at 150.
  auto s = exact_scenario(4);
  s.costs.spawn_start = 50_ms;
  s.costs.tracker_start = 50_ms;
  add_jobs(s, "crunch", 3, {cpu(100_ms)});
  scenario::Run run;
  run.executor = Executor::ProcessPool;
  run.start_method = scenario::StartMethod::Spawn;
  run.workers = 3;
  s.runs = {run};
  const auto t = model::simulate(s, s.runs[0]);
  CHECK(t.end == 150_ms);
  CHECK(time_in(lane_named(t, "resource tracker"), trace::SpanState::Starting) == 50_ms);
}

TEST_CASE("Pool.map's chunksize follows CPython's formula") {
  // chunksize, extra = divmod(len(iterable), len(self._pool) * 4); if extra: chunksize += 1
  CHECK(scenario::pool_map_chunksize(0, 4) == 0);
  CHECK(scenario::pool_map_chunksize(1, 4) == 1);
  CHECK(scenario::pool_map_chunksize(16, 4) == 1);
  CHECK(scenario::pool_map_chunksize(17, 4) == 2);
  CHECK(scenario::pool_map_chunksize(100, 4) == 7);
  CHECK(scenario::pool_map_chunksize(1'000'000, 2) == 125'000);
  CHECK(scenario::pool_map_chunksize(1'000'001, 2) == 125'001);

  auto s = exact_scenario(2);
  add_jobs(s, "tiny", 100, {cpu(1_ms)});
  scenario::Run run;
  run.executor = Executor::ProcessPool;
  s.runs = {run};
  const auto t = model::simulate(s, s.runs[0]);
  const auto dispatches = marks_of(t, MarkKind::Dispatch);
  CHECK(dispatches.size() == 8);  // chunksize 13 (divmod(100, 8) = 12 rem 4): 7 of 13, one of 9
  CHECK(dispatches.front()->value == 13);
  CHECK(dispatches.back()->value == 9);
}

TEST_CASE("imap and apply_async send one job per message, so the pool pays a message per job") {
  auto s = exact_scenario(2);
  s.costs.ipc_message = 50_us;
  add_jobs(s, "tiny", 100, {cpu(1_ms)});
  scenario::Run map_run;
  map_run.executor = Executor::ProcessPool;
  scenario::Run imap_run = map_run;
  imap_run.method = scenario::PoolMethod::Imap;
  scenario::Run apply_run = map_run;
  apply_run.method = scenario::PoolMethod::ApplyAsync;
  s.runs = {map_run, imap_run, apply_run};
  const auto by_map = model::simulate(s, s.runs[0]);
  const auto by_imap = model::simulate(s, s.runs[1]);
  const auto by_apply = model::simulate(s, s.runs[2]);
  CHECK(marks_of(by_map, MarkKind::Dispatch).size() == 8);
  CHECK(marks_of(by_imap, MarkKind::Dispatch).size() == 100);
  CHECK(marks_of(by_apply, MarkKind::Dispatch).size() == 100);
  CHECK(by_imap.end > by_map.end);  // 100 messages each way instead of 8
}

TEST_CASE("free-threaded Python runs CPU-bound threads in parallel, each a little slower") {
  auto s = exact_scenario(4);
  s.python.gil = scenario::GilMode::None;
  s.python.free_threading_overhead = 0.08;
  add_jobs(s, "crunch", 4, {cpu(100_ms)});
  const auto t = simulate_with(s, Executor::Threads);
  CHECK(t.end == 108_ms);
  for (const auto& p : t.processes) CHECK(p.gil_lane == trace::kNone);
}

TEST_CASE("more runnable threads than cores share them in time slices") {
  auto s = exact_scenario(1);
  s.python.gil = scenario::GilMode::None;
  s.python.free_threading_overhead = 0.0;
  add_jobs(s, "crunch", 2, {cpu(9_ms)});
  const auto t = simulate_with(s, Executor::Threads);
  CHECK(t.end == 18_ms);
  CHECK(t.jobs[0].end == 15_ms);  // 3 ms slices: T1 0-3, T2 3-6, T1 6-9, T2 9-12, T1 12-15
  CHECK(t.jobs[1].end == 18_ms);
  CHECK(marks_of(t, MarkKind::Preempt).size() == 4);
}

TEST_CASE("the old GIL thrashes on several cores and does better on one") {
  scenario::Scenario s;
  s.python.gil = scenario::GilMode::Old;
  add_jobs(s, "countdown", 2, {cpu(500_ms)});
  s.machine.cores = 2;
  const auto seq = simulate_with(s, Executor::Sequential);
  const auto two_cores = simulate_with(s, Executor::Threads);
  s.machine.cores = 1;
  const auto one_core = simulate_with(s, Executor::Threads);
  CHECK(seq.end == 1000_ms);
  // Beazley: 1.8x slower on two cores, faster with one core disabled (docs/model.md O3).
  CHECK(two_cores.end.ms() >= 1.6 * seq.end.ms());
  CHECK(two_cores.end.ms() <= 2.0 * seq.end.ms());
  CHECK(one_core.end < two_cores.end);
  CHECK(one_core.end.ms() >= 1.4 * seq.end.ms());
  CHECK(marks_of(two_cores, MarkKind::DropRequest).empty());  // no drop requests before 3.2
}

TEST_CASE("the old GIL records the races its woken waiters lost, one mark per stretch of holding") {
  // Two cores, two CPU-bound threads of 1 ms; a waiter that (almost) never wins the race.
  // T1 takes the GIL at 0 and T2 waits from 0, so T1 releases every 5 us of work and pays
  // 4 us per release (O1-O3): a 9 us release period, its 1 ms of work takes 1.8 ms. The
  // releases at 9, 18, ... 1791 us each woke T2, which lost (199 of them); the one at
  // 1800 us is T1's end. T2 then runs alone, undisturbed: done at 2.8 ms, no more marks.
  auto s = exact_scenario(2);
  s.python.gil = scenario::GilMode::Old;
  s.costs.old_gil_handoff_probability = 1e-9;
  add_jobs(s, "countdown", 2, {cpu(1_ms)});
  const auto t = simulate_with(s, Executor::Threads);
  CHECK(t.end == 2'800_us);
  const auto lost = marks_of(t, MarkKind::RacesLost);
  REQUIRE(lost.size() == 1);
  CHECK(lost[0]->at == 9_us);
  CHECK(lost[0]->other == 199);
  CHECK(lost[0]->value == 9'000);
  CHECK(t.lanes[lost[0]->lane].name == "T1");

  SUBCASE("odds of 0, or so small that a draw passes a uint64, never hand off either (fuzz16)") {
    // The delay to the hand-off saturates instead of overflowing into an early one.
    for (const double never : {0.0, 1e-300}) {
      CAPTURE(never);
      s.costs.old_gil_handoff_probability = never;
      const auto same = simulate_with(s, Executor::Threads);
      CHECK(same.end == 2'800_us);
      REQUIRE(marks_of(same, MarkKind::RacesLost).size() == 1);
      CHECK(marks_of(same, MarkKind::RacesLost)[0]->other == 199);
    }
  }

  SUBCASE("with the default odds, about 19 lost races per hand-off, each inside its holder's GIL span") {
    s.costs.old_gil_handoff_probability = 0.05;
    s.jobs[0].steps = {cpu(50_ms)};
    const auto many = simulate_with(s, Executor::Threads);
    std::int64_t losses = 0;
    const trace::Lane& gil = many.lanes[many.processes[0].gil_lane];
    for (const auto& mp : marks_of(many, MarkKind::RacesLost)) {
      const trace::Mark& m = *mp;
      losses += m.other;
      const Time last = m.at + Time{m.value * (static_cast<std::int64_t>(m.other) - 1)};
      const auto held = std::find_if(gil.spans.begin(), gil.spans.end(),
                                     [&](const trace::Span& sp) { return sp.begin <= m.at && last < sp.end; });
      REQUIRE(held != gil.spans.end());
      CHECK(held->subject == m.lane);
    }
    const auto handoffs = static_cast<double>(marks_of(many, MarkKind::ForcedSwitch).size());
    REQUIRE(handoffs > 20);
    CHECK(static_cast<double>(losses) / handoffs > 10);
    CHECK(static_cast<double>(losses) / handoffs < 30);
  }
}

TEST_CASE("the old GIL releases every check_interval ticks: a longer interval, fewer releases") {
  // One core, two CPU-bound threads of 10 ms. While one waits, the holder pays the release
  // cost (2.5 us on one core) every check period of work (O1, O2): a wall slice of 3 ms
  // does 3 x period / (period + 2.5 us) of work. The waiter gets the GIL when the OS
  // preempts the holder, every quantum (3 ms, O3). The last thread finishes alone, undilated.
  // T2 waits for the one core before it can wait for the GIL (G8a): T1's first slice, 0-3,
  // has no GIL waiter and does 3 ms of work; at 3 T2 runs, finds the GIL held and blocks.
  auto s = exact_scenario(1);
  s.python.gil = scenario::GilMode::Old;
  add_jobs(s, "countdown", 2, {cpu(10_ms)});
  SUBCASE("check_interval 100: a 5 us period, 2 ms of work per slice") {
    // T1 0-3 (3 ms), 3-6, 9-12, 15-18 (9 ms), 21-22.5 (1 ms x 1.5, done); T2 6-9, 12-15,
    // 18-21 (6 ms), then 4 ms alone: 26.5 ms.
    CHECK(simulate_with(s, Executor::Threads).end == 26'500_us);
  }
  SUBCASE("check_interval 200: a 10 us period, 2.4 ms of work per slice") {
    // T1 0-3 (3 ms), 3-6, 9-12 (7.8 ms), 2.2 ms x 1.25 from 15: done at 17.75; T2 6-9,
    // 12-15 (4.8 ms), then 5.2 ms alone: 22.95 ms.
    s.python.check_interval = 200;
    CHECK(simulate_with(s, Executor::Threads).end == 22'950_us);
  }
  SUBCASE("check_interval 1000: a 50 us period, 20/7 ms of work per slice") {
    // T1 0-3 (3 ms), 3-6, 9-12 (3 + 40/7 ms), 9/7 ms x 1.05 = 1.35 ms from 15: done at
    // 16.35 ms; T2 6-9, 12-15 (40/7 ms), then 30/7 ms alone: 16.35 + 4.285717 ms (work
    // rounded to the nanosecond per slice).
    s.python.check_interval = 1000;
    CHECK(simulate_with(s, Executor::Threads).end == Time{20'635'717});
  }
}

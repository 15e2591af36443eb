// Hand-built traces; the story of each is written out so tests can assert exact answers.
#include "fake_runs.hpp"

#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"

namespace gilsim::viz::testing {

using namespace gilsim::literals;
using trace::LaneKind;
using trace::MarkKind;
using trace::SpanState;

GilPairLanes start_gil_pair(trace::TraceBuilder& b, Time t2_waits) {
  const auto main = b.add_process("main", true);
  const GilPairLanes l{b.gil_lane(main), b.add_lane("T1", LaneKind::Thread, main), b.add_lane("T2", LaneKind::Thread, main)};
  b.set_state(l.t1, Time::zero(), SpanState::Running);
  b.set_state(l.gil, Time::zero(), SpanState::Held, l.t1);
  b.set_state(l.t2, t2_waits, SpanState::WaitingGil);
  return l;
}

trace::Trace two_threads() {
  // T1 holds the GIL from 0; T2 arrives at 1 ms, asks for a drop at 6 ms and gets the GIL at
  // 6.5 ms (forced switch). T1 waits, asks at 11.5 ms, takes it back at 12 ms when T2 goes
  // to I/O. T1 finishes at 15 ms, T2 at 20 ms.
  trace::TraceBuilder b("threads", "threads", "new", trace::Origin::Simulated, 2, 5_ms);
  b.add_cores(2);
  const auto main = b.add_process("main", true);
  const auto gil = b.gil_lane(main);
  const auto t1 = b.add_lane("T1", LaneKind::Thread, main);
  const auto t2 = b.add_lane("T2", LaneKind::Thread, main);
  const auto tpl = b.add_template("crunch", {"cpu 9 ms", "io 8 ms"});
  const auto j0 = b.add_job("crunch 1", tpl);
  const auto j1 = b.add_job("crunch 2", tpl);
  const Time t6_5 = 6500_us, t11_5 = 11500_us;

  b.job_started(j0, t1, 0_ms);
  b.set_state(t1, 0_ms, SpanState::Running, j0, 0);
  b.set_state(gil, 0_ms, SpanState::Held, t1);
  b.set_state(b.core_lane(0), 0_ms, SpanState::Running, t1);

  b.job_started(j1, t2, 1_ms);
  b.set_state(t2, 1_ms, SpanState::WaitingGil, j1, 0);
  b.mark(1_ms, MarkKind::GilRequest, t2, t1);
  b.mark(6_ms, MarkKind::DropRequest, t2, t1, (5_ms).ns());

  b.mark(t6_5, MarkKind::ForcedSwitch, t1, t2, t6_5.ns());
  b.set_state(t1, t6_5, SpanState::WaitingGil, j0, 0);
  b.mark(t6_5, MarkKind::GilRequest, t1, t2);
  b.clear_state(b.core_lane(0), t6_5);
  b.set_state(gil, t6_5, SpanState::Held, t2);
  b.set_state(t2, t6_5, SpanState::Running, j1, 0);
  b.set_state(b.core_lane(1), t6_5, SpanState::Running, t2);

  b.mark(t11_5, MarkKind::DropRequest, t1, t2, (5_ms).ns());
  b.set_state(t2, 12_ms, SpanState::BlockedIo, j1, 1);
  b.clear_state(b.core_lane(1), 12_ms);
  b.mark(12_ms, MarkKind::GilHandoff, t1, t2);
  b.set_state(gil, 12_ms, SpanState::Held, t1);
  b.set_state(t1, 12_ms, SpanState::Running, j0, 0);
  b.set_state(b.core_lane(0), 12_ms, SpanState::Running, t1);

  b.job_finished(j0, 15_ms);
  b.clear_state(t1, 15_ms);
  b.clear_state(gil, 15_ms);
  b.clear_state(b.core_lane(0), 15_ms);
  b.job_finished(j1, 20_ms);
  b.clear_state(t2, 20_ms);
  return b.finish(20_ms);
}

trace::Trace asyncio_run() {
  // Three tasks on one loop. task 1 runs 0-1 ms then sleeps until 10 ms; task 2 waits in the
  // ready queue, runs 1-2 ms, then awaits I/O until 8 ms; task 3 waits, runs 2-3 ms, then
  // awaits I/O until 9 ms.
  trace::TraceBuilder b("asyncio", "asyncio", "new", trace::Origin::Simulated, 1, 5_ms);
  b.add_cores(1);
  const auto main = b.add_process("main", true);
  const auto loop = b.add_lane("loop", LaneKind::Thread, main);
  const auto task1 = b.add_lane("task 1", LaneKind::Task, main);
  const auto task2 = b.add_lane("task 2", LaneKind::Task, main);
  const auto task3 = b.add_lane("task 3", LaneKind::Task, main);
  const auto nap = b.add_template("nap", {"cpu 1 ms", "sleep 9 ms"});
  const auto fetch = b.add_template("fetch", {"cpu 1 ms", "io 6 ms"});
  const auto j0 = b.add_job("nap 1", nap);
  const auto j1 = b.add_job("fetch 1", fetch);
  const auto j2 = b.add_job("fetch 2", fetch);
  b.set_state(loop, 0_ms, SpanState::Running);
  b.set_state(loop, 3_ms, SpanState::Sleeping);
  b.set_state(task1, 0_ms, SpanState::Running, j0, 0);
  b.set_state(task1, 1_ms, SpanState::Awaiting, j0, 1);
  b.clear_state(task1, 10_ms);
  b.set_state(task2, 0_ms, SpanState::Ready, j1, 0);
  b.set_state(task2, 1_ms, SpanState::Running, j1, 0);
  b.set_state(task2, 2_ms, SpanState::Awaiting, j1, 1);
  b.clear_state(task2, 8_ms);
  b.set_state(task3, 0_ms, SpanState::Ready, j2, 0);
  b.set_state(task3, 2_ms, SpanState::Running, j2, 0);
  b.set_state(task3, 3_ms, SpanState::Awaiting, j2, 1);
  b.clear_state(task3, 9_ms);
  b.job_started(j0, task1, 0_ms);
  b.job_started(j1, task2, 1_ms);
  b.job_started(j2, task3, 2_ms);
  b.job_finished(j1, 8_ms);
  b.job_finished(j2, 9_ms);
  b.job_finished(j0, 10_ms);
  return b.finish(10_ms);
}

trace::Trace many_waiters() {
  const scenario::Scenario many = scenario::load_string(R"(
title = "many waiters"
[machine]
cores = 3
[python]
switch_interval = "1ms"
[[job]]
name = "crunch"
count = 200
steps = [ { cpu = "20ms" }, { io = "300us" }, { cpu = "10ms" } ]
[[run]]
name = "threads"
executor = "threads"
)", "many.toml");
  return model::simulate(many, many.runs[0]);
}

trace::Trace many_spans(std::size_t count) {
  trace::TraceBuilder b("many", "threads", "new", trace::Origin::Simulated, 1, 5_ms);
  const auto main = b.add_process("main", true);
  const auto t1 = b.add_lane("T1", LaneKind::Thread, main);
  for (std::size_t i = 0; i < count; ++i) {
    b.set_state(t1, Time{static_cast<std::int64_t>(i) * 1000},
                i % 2 == 0 ? SpanState::Running : SpanState::WaitingGil, 0, 0);
  }
  return b.finish(Time{static_cast<std::int64_t>(count) * 1000});
}

}  // namespace gilsim::viz::testing

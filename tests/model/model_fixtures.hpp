// Small scenarios built in code, with costs zeroed where a test wants exact hand timelines.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "sim/model/simulate.hpp"
#include "tests/lane_lookup.hpp"
#include "tests/time_printing.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace.hpp"

namespace gilsim::test {

using namespace gilsim::literals;

inline scenario::Step step(scenario::StepKind kind, Time d) {
  return scenario::Step{kind, scenario::Duration::fixed(d), scenario::StepKind::Cpu};
}
inline scenario::Step cpu(Time d) { return step(scenario::StepKind::Cpu, d); }
inline scenario::Step io(Time d) { return step(scenario::StepKind::Io, d); }
inline scenario::Step native(Time d) { return step(scenario::StepKind::Native, d); }
inline scenario::Step block(Time d) { return step(scenario::StepKind::Block, d); }
inline scenario::Step sleep_for(Time d) { return step(scenario::StepKind::Sleep, d); }

/// Declares a lock (threading.Lock, or an RLock) and returns its index for acquire()/release().
inline std::uint32_t add_lock(scenario::Scenario& s, std::string name, bool reentrant = false) {
  s.locks.push_back(scenario::LockSpec{std::move(name), reentrant, {}});
  return static_cast<std::uint32_t>(s.locks.size() - 1);
}
/// Declares a shared counter starting at `initial` and returns its index.
inline std::uint32_t add_counter(scenario::Scenario& s, std::string name, std::int64_t initial = 0) {
  s.counters.push_back(scenario::CounterSpec{std::move(name), initial, {}});
  return static_cast<std::uint32_t>(s.counters.size() - 1);
}
inline scenario::Step acquire(std::uint32_t lock) {
  scenario::Step st = step(scenario::StepKind::Acquire, Time{0});
  st.target = lock;
  return st;
}
inline scenario::Step release(std::uint32_t lock) {
  scenario::Step st = step(scenario::StepKind::Release, Time{0});
  st.target = lock;
  return st;
}
/// `counter += 1`; with a call, `counter += f()` where f's Python work lasts `call`.
inline scenario::Step increment(std::uint32_t counter, std::optional<Time> call = std::nullopt) {
  scenario::Step st = step(scenario::StepKind::Increment, call.value_or(Time{0}));
  st.target = counter;
  st.has_call = call.has_value();
  return st;
}

/// A scenario whose incidental costs are zero, so hand-written timelines stay exact.
inline scenario::Scenario exact_scenario(int cores) {
  scenario::Scenario s;
  s.title = "test";
  s.machine.cores = cores;
  s.machine.context_switch = 0_ns;
  s.costs.thread_start = 0_ns;
  s.costs.thread_bootstrap = 0_ns;  // start() returns at once (T1a off): timelines of other rules
  s.costs.thread_start_tail = 0_ns;
  s.costs.wake_poll_min = 0_ns;
  s.costs.wake_poll_max = 0_ns;
  s.costs.wake_per_doubling = 0_ns;
  s.costs.handoff_refill = 0_ns;
  s.costs.gil_mutex_take = 0_ns;  // the GIL's mutex never held (G8b): timelines of other rules
  s.costs.gil_mutex_signal = 0_ns;
  s.costs.cross_wake_short = 0_ns;  // G8d off: the signal and the wake-up as G8/G8b give them
  s.costs.loop_callback = 0_ns;
  s.costs.fork_start = 0_ns;
  s.costs.fork_call = 0_ns;
  s.costs.fork_child_start = 0_ns;
  s.costs.fork_first_extra = 0_ns;
  s.costs.fork_first_call_extra = 0_ns;
  s.costs.fork_first_child_extra = 0_ns;
  s.costs.timer_slack = 0_ns;
  s.costs.timer_wake_min = 0_ns;
  s.costs.timer_wake_per_doubling = 0_ns;
  s.costs.spawn_call = 0_ns;
  s.costs.spawn_exec = 0_ns;
  s.costs.spawn_start = 0_ns;
  s.costs.tracker_start = 0_ns;
  s.costs.forkserver_start = 0_ns;
  s.costs.forkserver_request = 0_ns;
  s.costs.ipc_message = 0_ns;
  s.costs.ipc_syscall = 0_ns;
  s.costs.ipc_first_syscall = 0_ns;
  s.costs.ipc_first_pickle = 0_ns;
  s.costs.ipc_bandwidth = 1e18;
  s.costs.ipc_task_bytes = 0;  // a message weighs its jobs' bytes alone: timelines of other rules
  s.costs.ipc_result_bytes = 0;
  s.costs.ipc_apply_task_bytes = 0;
  s.costs.ipc_apply_result_bytes = 0;
  s.costs.ipc_executor_call_bytes = 0;
  s.costs.ipc_executor_result_bytes = 0;
  s.costs.pool_setup = 0_ns;
  s.costs.pool_wakeup = 0_ns;
  s.costs.pool_first_loop = 0_ns;
  s.costs.pool_map_call = 0_ns;
  s.costs.process_exit = 0_ns;
  s.costs.lock_wake_latency = 0_ns;
  s.costs.lock_release_wake = 0_ns;
  s.costs.lock_woken_try = 0_ns;
  s.costs.lock_with = 0_ns;
  return s;
}

/// One core, no GIL and no costs: the OS scheduler's timelines alone (S2, S3).
inline scenario::Scenario one_free_threaded_core() {
  auto s = exact_scenario(1);
  s.python.gil = scenario::GilMode::None;
  s.python.free_threading_overhead = 0.0;
  return s;
}

inline void add_jobs(scenario::Scenario& s, std::string name, int count, std::vector<scenario::Step> steps) {
  scenario::JobTemplate t;
  t.name = std::move(name);
  t.count = count;
  t.steps = std::move(steps);
  s.jobs.push_back(std::move(t));
}

/// A process pool's run of `workers` workers, its chunks of `chunksize` jobs (Pool.map's own
/// size when unset, P5).
inline scenario::Run process_pool_run(int workers, std::optional<int> chunksize = 1) {
  scenario::Run run;
  run.executor = scenario::Executor::ProcessPool;
  run.workers = workers;
  run.chunksize = chunksize;
  return run;
}

inline trace::Trace simulate_with(scenario::Scenario& s, scenario::Executor executor) {
  scenario::Run run;
  run.name = std::string(scenario::to_string(executor));
  run.executor = executor;
  s.runs = {run};
  return model::simulate(s, s.runs[0]);
}

/// A mark found by marks_of(), read like a pointer to it (a trace hands its marks out by value).
struct FoundMark {
  trace::Mark mark;
  const trace::Mark* operator->() const { return &mark; }
  const trace::Mark& operator*() const { return mark; }
};

inline std::vector<FoundMark> marks_of(const trace::Trace& t, trace::MarkKind kind) {
  std::vector<FoundMark> out;
  for (const trace::Mark m : t.marks) {
    if (m.kind == kind) out.push_back(FoundMark{m});
  }
  return out;
}

/// The default costs; a CPU-bound "hog" job (T1, started first) beside one job of `steps`
/// (T2), as in the convoy and the ready-pipe race.
inline scenario::Scenario beside_a_hog(int cores, Time interval, Time hog, std::string name,
                                       std::vector<scenario::Step> steps) {
  scenario::Scenario s;
  s.machine.cores = cores;
  s.python.switch_interval = interval;
  add_jobs(s, "hog", 1, {cpu(hog)});
  add_jobs(s, std::move(name), 1, std::move(steps));
  return s;
}

/// Exact costs on 2 cores: every wake-up (a signalled waiter's, a dropper's from switch_cond,
/// the timed wait's own) takes `wake` (the polling window of 10 ms covers every idle here, and
/// the draw has min = max), the futex wake-up of a thread on another core `signal` (G8b, G8c),
/// a switch interval of 4 ms with no timer slack.
inline scenario::Scenario exact_with_wakes(Time wake, Time signal) {
  auto s = exact_scenario(2);
  s.costs.wake_poll_window = 10_ms;
  s.costs.wake_poll_min = wake;
  s.costs.wake_poll_max = wake;
  s.costs.timer_wake_min = wake;
  s.costs.timer_wake_window = 10_ms;
  s.costs.gil_mutex_signal = signal;
  s.python.switch_interval = 4_ms;
  return s;
}

/// One span of a resource lane (the GIL, a lock): when, and by whom, it was held.
struct Hold {
  Time begin, end;
  std::string holder;
};

/// Who held the resource of `lane` (the GIL's lane is "GIL", a lock's "lock NAME"), in order.
inline std::vector<Hold> holders(const trace::Trace& t, std::string_view lane) {
  std::vector<Hold> out;
  for (const auto& s : lane_named(t, lane).spans) out.push_back({s.begin, s.end, t.lanes[s.subject].name});
  return out;
}

/// The holds are exactly `expected`; with `first_only`, they begin with it.
inline void check_holders(const std::vector<Hold>& actual, const std::vector<Hold>& expected, bool first_only = false) {
  if (first_only) {
    REQUIRE(actual.size() >= expected.size());
  } else {
    REQUIRE(actual.size() == expected.size());
  }
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    CHECK(actual[i].begin == expected[i].begin);
    CHECK(actual[i].end == expected[i].end);
    CHECK(actual[i].holder == expected[i].holder);
  }
}

/// A span of a lane: what it did, from when to when.
struct Piece {
  trace::SpanState state;
  Time begin, end;
};

/// A lane's spans that last, in order, up to `until`.
inline std::vector<Piece> pieces(const trace::Trace& t, std::string_view lane, Time until = Time::max()) {
  std::vector<Piece> out;
  for (const auto& s : lane_named(t, lane).spans) {
    if (s.end > s.begin && s.begin < until) out.push_back({s.state, s.begin, s.end});
  }
  return out;
}

/// The pieces are exactly `expected`.
inline void check_pieces(const std::vector<Piece>& actual, const std::vector<Piece>& expected) {
  REQUIRE(actual.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    CHECK(actual[i].state == expected[i].state);
    CHECK(actual[i].begin == expected[i].begin);
    CHECK(actual[i].end == expected[i].end);
  }
}

/// Total time a lane spends in `state`.
inline Time time_in(const trace::Lane& lane, trace::SpanState state) {
  Time total;
  for (const auto& s : lane.spans) {
    if (s.state == state) total += s.duration();
  }
  return total;
}

}  // namespace gilsim::test

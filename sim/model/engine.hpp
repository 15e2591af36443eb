// The simulated machine: cores with an OS run queue, one GIL per interpreter, and threads
// whose programs are coroutines. Programs ask for operations (compute, wait, take or drop
// the GIL); the engine decides when each completes and records every change in the trace.
//
// engine.cpp: events, programs and compute; os_scheduler.cpp: cores and the run queue;
// gil_rules.cpp: the GIL (new GIL G1-G8, old GIL O1-O3, none).
#pragma once

#include <coroutine>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/model/event_queue.hpp"
#include "sim/model/gil_wait_queue.hpp"
#include "sim/model/program.hpp"
#include "sim/model/random.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace_builder.hpp"

namespace gilsim::model {

using ThreadId = std::uint32_t;
using trace::SpanState;

struct EngineConfig {
  int cores = 1;
  scenario::Machine machine;
  scenario::GilMode gil = scenario::GilMode::New;
  Time switch_interval = Time{5'000'000};
  scenario::Costs costs;
  std::uint64_t seed = 1;
  std::uint64_t max_events = UINT64_MAX;  ///< run() stops after this many (work_budget.hpp)
};

/// What a compute operation is, for the GIL, the check points and the trace.
struct Work {
  SpanState state = SpanState::Running;  ///< Running, Native, Pickling or Starting
  bool needs_gil = true;
  bool checkpoints = true;  ///< the eval loop checks for drop requests while it runs (G4)
  std::uint32_t job = trace::kNone;
  std::uint16_t step = trace::kNoStep;
};

class Engine;

/// `co_await` on an operation: suspends unless it completed at once.
struct Operation {
  Engine* engine = nullptr;
  ThreadId thread = 0;
  bool ready = true;
  bool await_ready() const noexcept { return ready; }
  void await_suspend(std::coroutine_handle<> h) const noexcept;
  void await_resume() const noexcept {}
};

class Engine {
 public:
  Engine(const EngineConfig& config, trace::TraceBuilder& builder);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  trace::ProcessId add_process(std::string name);
  ThreadId add_thread(std::string name, trace::ProcessId process);
  /// Starts `program` on `thread` now. The thread's first operation runs at this instant.
  void start(ThreadId thread, Program program);

  // Operations a program awaits.
  Operation compute(ThreadId t, Time work, const Work& what);
  /// Leaves the core and waits `duration` in `state` (the caller has dropped the GIL).
  Operation wait(ThreadId t, Time duration, SpanState state, std::uint32_t job = trace::kNone,
                 std::uint16_t step = trace::kNoStep);
  /// Leaves the core and waits for notify() or `deadline`, whichever comes first; with no
  /// state the lane shows nothing (an idle worker, a joining main thread).
  Operation wait_for_notify(ThreadId t, std::optional<SpanState> state, Time deadline = Time::max(),
                            std::uint32_t job = trace::kNone);
  void notify(ThreadId t);
  Operation acquire_gil(ThreadId t);
  /// Drops the GIL (G7); with a drop request pending, waits until another thread took it (G6).
  Operation release_gil(ThreadId t);
  /// The thread's program ends: it drops the GIL and leaves its core.
  void exit(ThreadId t);

  Time now() const { return now_; }
  /// When the last thread exited: the end of the run, whatever stale events remain.
  Time last_exit() const { return last_exit_; }
  bool holds_gil(ThreadId t) const;
  trace::LaneId lane(ThreadId t) const;
  trace::TraceBuilder& trace() { return builder_; }
  Random& random() { return random_; }
  const EngineConfig& config() const { return config_; }
  std::uint64_t events_processed() const { return events_; }

  /// Runs until no event is left.
  /// Processes events until none is left (true) or config().max_events were processed (false).
  bool run();

 private:
  struct Thread;
  struct Core;
  struct Gil;
  friend struct Operation;

  // engine.cpp
  void dispatch(const Event& e);
  void schedule_resume(ThreadId t);
  void resume_program(ThreadId t);
  void proceed(ThreadId t);
  void start_run(ThreadId t);
  void schedule_compute_done(ThreadId t);
  void pause(ThreadId t);
  void on_compute_done(ThreadId t);
  bool request_core(ThreadId t);
  bool preempt_for_waker(ThreadId t);
  /// Core `c`'s thread goes to the back of the run queue; `next` gets the core.
  void preempt(int c, ThreadId next);
  ThreadId pop_run_queue();
  void release_core(ThreadId t);
  void assign_core(int core, ThreadId t);
  void on_quantum_end(int core);
  void arm_quantums();
  void show(ThreadId t, SpanState state);

  // gil_rules.cpp
  Gil* gil_of(ThreadId t);
  void take_gil(ThreadId t);
  void enter_gil_wait(ThreadId t);
  bool drop_gil(ThreadId t, bool forced);
  void forced_switch(ThreadId t);
  void on_gil_attempt(ThreadId t);
  void on_drop_deadline(std::uint32_t gil);
  void on_old_gil_handoff(ThreadId t);
  void schedule_drop_deadline(Gil& gil);
  void update_drop_deadline(Gil& gil);
  void replan_old_gil_holder(Gil& gil);
  Time old_gil_handoff_delay();
  Time old_gil_release_cost() const;
  void after_take(Gil& gil, ThreadId taker);

  EngineConfig config_;
  trace::TraceBuilder& builder_;
  Random random_;
  EventQueue queue_;
  Time now_;
  Time last_exit_;
  std::uint64_t events_ = 0;
  std::vector<std::unique_ptr<Thread>> threads_;  // stable addresses while programs add threads
  std::vector<Core> cores_;
  std::vector<ThreadId> run_queue_;
  std::size_t run_queue_head_ = 0;
  std::vector<std::unique_ptr<Gil>> gils_;          ///< by process; null without a GIL
  std::vector<std::uint32_t> dirty_gils_;           ///< GILs whose drop deadline needs a look
  std::vector<ThreadId> released_scratch_;
};

}  // namespace gilsim::model

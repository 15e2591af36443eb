// "What is going on at time t?": per process who holds the GIL, who waits and for how long,
// whether a drop request is pending; per core what runs; for asyncio the ready queue and the
// pending timers; for a pool the queued work. Derived from the trace's spans and marks only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/trace/trace.hpp"
#include "viz/gil_wait_index.hpp"

namespace gilsim::viz {

struct ProcessAtPlayhead {
  trace::ProcessId process = 0;
  bool has_gil = true;
  trace::LaneId holder = trace::kNone;  ///< thread lane holding the GIL; kNone when free
  Time held_since;
  std::vector<GilWaiter> waiters;        ///< longest waiting first, at most kWaitersListed of them
  std::size_t waiting = 0;               ///< every thread waiting
  trace::LaneId next_holder = trace::kNone;  ///< while free: who takes it next
  Time next_held_at;                     ///< ... and when
  bool drop_requested = false;           ///< a waiter asked the holder to drop the GIL
  trace::LaneId drop_requester = trace::kNone;
  Time drop_requested_at;
};

/// A user lock (docs/model.md L1-L6): its holder and who waits for it, longest first.
struct LockAtPlayhead {
  trace::LaneId lock = trace::kNone;
  trace::LaneId holder = trace::kNone;  ///< thread or task lane; kNone when free
  Time held_since;
  std::vector<GilWaiter> waiters;
};

struct CoreAtPlayhead {
  trace::LaneId core = trace::kNone;
  trace::LaneId thread = trace::kNone;  ///< kNone when idle
  trace::SpanState state = trace::SpanState::Running;
};

struct TaskAtPlayhead {
  trace::LaneId task = trace::kNone;
  Time since;   ///< when it entered its state
  Time until;   ///< when its state ends (for a timer: when it is due, which the loop may pass)
  std::string what;  ///< the step it is on, e.g. "sleep 10 ms"
};

struct LoopAtPlayhead {
  trace::ProcessId process = 0;
  trace::LaneId running = trace::kNone;  ///< the task running a step now, if any
  /// The loop's own thread (the lane "event loop"), its state and since when; kNone if unseen.
  trace::LaneId thread = trace::kNone;
  trace::SpanState thread_state = trace::SpanState::Running;
  Time thread_since;
  std::vector<TaskAtPlayhead> ready;     ///< the ready queue, first in line first
  std::vector<TaskAtPlayhead> timers;    ///< sleeping tasks, soonest first
  std::vector<TaskAtPlayhead> awaiting;  ///< tasks awaiting I/O or another thread
};

struct JobsAtPlayhead {
  int waiting = 0;  ///< not started yet (in a queue, or not reached yet)
  int running = 0;
  int done = 0;
  int chunks_sent = 0;        ///< pool chunks put on the task queue so far (Dispatch marks)
  int chunks_unsent = 0;      ///< pool chunks the parent has yet to put on the queue
  int jobs_queued = 0;        ///< jobs sent to the pool's queue that no worker has started
};

struct PlayheadState {
  Time at;
  std::vector<ProcessAtPlayhead> processes;
  std::vector<CoreAtPlayhead> cores;
  std::vector<LoopAtPlayhead> loops;  ///< one per process that has task lanes
  std::vector<LockAtPlayhead> locks;  ///< one per lock lane
  JobsAtPlayhead jobs;
};

/// The GIL waiters state_at lists per process (the panel shows as many, then a count).
inline constexpr std::size_t kWaitersListed = 8;

/// What the state query reads besides the lanes, built once per trace and passed with it
/// only (a run's RunIndex holds it, and is replaced with the run): sorted times it counts
/// with binary searches, the lanes of the kinds it asks each, and the GIL waits.
struct PlayheadIndex {
  std::vector<Time> job_begins;
  std::vector<Time> job_ends;
  std::vector<Time> dispatches;
  std::vector<std::int64_t> jobs_sent;  ///< jobs sent in dispatches[0..i], inclusive
  /// The core and task lanes, in lane order: a state per lane, where 10,000 thread lanes ask none.
  std::vector<trace::LaneId> cores_and_tasks;
  std::vector<trace::LaneId> locks;
  GilWaitIndex gil_waits;

  /// `gil_min_threads`: see GilWaitIndex::build.
  static PlayheadIndex build(const trace::Trace& trace,
                             std::size_t gil_min_threads = GilWaitIndex::kThreadsWorthIndexing);
};

PlayheadState state_at(const trace::Trace& trace, const PlayheadIndex& index, Time t);

/// A run that ended in a deadlock as it stood at its end: the state just before, with each
/// Deadlock mark of the end instant applied (its thread waits for its lock, without the GIL
/// and off its core, L2), where the spans stop without drawing that last step.
PlayheadState state_at_deadlock(const trace::Trace& trace, const PlayheadIndex& index);

/// The words before a lock's waiters: threads wait for it "without the GIL" (they drop it to
/// wait); asyncio tasks never hold the GIL themselves, so for them it is "waiting for the lock".
const char* lock_waiters_words(const trace::Trace& trace, const LockAtPlayhead& lock);

/// The queue for the GIL of `process` at `t`, with its `longest` first waiters: from the
/// index's waits where it has them, else lane by lane.
GilQueue gil_queue_at(const trace::Trace& trace, const PlayheadIndex& index, trace::ProcessId process, Time t,
                      std::size_t longest);

/// The threads of `process` waiting for its GIL at `t`, longest waiting first, each thread
/// lane searched (gil_queue_at's answer where the index has no waits).
std::vector<GilWaiter> gil_waiters_at(const trace::Trace& trace, trace::ProcessId process, Time t);

/// What an event loop does at `now`, after "event loop: ": "running task 2", "stuck in task
/// 2's blocking call, for 79.9 ms (...)", "running nothing", or what the loop's thread does
/// while it runs no task: a loop whose timer is due can wait for the GIL first (lesson 13),
/// which is not part of the sleep.
std::string loop_doing(const trace::Trace& run, const LoopAtPlayhead& loop, Time now);

/// For a process pool whose jobs have all run, before its end: its results still on their way
/// back (pickled, sent, unpickled by the parent) until when, or the pool shutting down after
/// the last; else nothing.
std::optional<std::string> pool_results_words(const trace::Trace& run, const JobsAtPlayhead& jobs, Time now);

}  // namespace gilsim::viz

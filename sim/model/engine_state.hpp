// The engine's private records of threads, cores and GILs; shared by its source files only.
#pragma once

#include "sim/model/engine.hpp"

namespace gilsim::model {

inline constexpr ThreadId kNoThread = trace::kNone;

struct Engine::Thread {
  std::string name;
  trace::LaneId lane = trace::kNone;
  trace::ProcessId process = trace::kNone;
  Gil* gil = nullptr;  ///< its process's GIL; null without one
  Program body;
  std::coroutine_handle<> continuation;
  TimerHeap::Slot timer = 0;    ///< its program timer: Resume, GilAttempt or OldGilHandoff
  TimerHeap::Slot compute_timer = 0;  ///< ComputeDone, pending while a compute is planned

  enum class Doing : std::uint8_t { Nothing, Compute, Wait, Exited };
  Doing doing = Doing::Nothing;

  // Current compute.
  Work work;
  Time remaining;
  Time run_start;
  Time run_end;          ///< when the running compute ends, if nothing interrupts it
  bool running = false;  ///< computing on a core now
  bool dilated = false;  ///< old GIL: progress slowed by releases while others wait

  // Labels for wait spans.
  std::uint32_t job = trace::kNone;
  std::uint16_t step = trace::kNoStep;

  // Core.
  int core = -1;
  bool queued = false;  ///< in the OS run queue
  bool just_woke = false;  ///< back from I/O or a sleep: may preempt a CPU hog (S3)

  // GIL.
  enum class GilWait : std::uint8_t { None, Waiting, Woken, Switch };
  bool holds_gil = false;
  GilWait gil_wait = GilWait::None;
  bool resume_when_gil_taken = false;   ///< acquire_gil(): resume the program; else continue compute
  bool resume_after_switch = false;     ///< release_gil(): resume the program; else ask for the GIL again
  Time waiting_since = Time::max();
  bool forced_out = false;  ///< it just dropped the GIL in a forced switch  ///< Time::max() while not waiting

  // notify().
  bool notified = false;
  bool waiting_notify = false;
};

struct Engine::Core {
  ThreadId thread = kNoThread;
  ThreadId last = kNoThread;
  Time slice_start;
  Time idle_since;
  TimerHeap::Slot quantum = 0;  ///< QuantumEnd, pending while its slice is armed
};

struct Engine::Gil {
  explicit Gil(Time interval) : waiters(interval) {}
  std::uint32_t index = 0;
  trace::LaneId lane = trace::kNone;
  bool locked = false;
  ThreadId holder = kNoThread;
  ThreadId last_holder = kNoThread;
  bool drop_request = false;
  bool forced_drop = false;  ///< the last drop was a forced switch (for the narrative)
  Time held_since;
  GilWaitQueue waiters;                 ///< threads in a timed wait (not yet signalled)
  std::vector<ThreadId> switch_waiters; ///< droppers waiting for another thread to take it (G6)
  TimerHeap::Slot deadline = 0;  ///< DropDeadline, pending while a waiter will ask (G2)
  bool deadline_dirty = false;
};

}  // namespace gilsim::model

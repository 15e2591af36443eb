// The engine's private records of threads and cores; shared by its source files only.
#pragma once

#include "sim/model/engine.hpp"
#include "sim/model/thread_state.hpp"

namespace gilsim::model {

inline constexpr ThreadId kNoThread = trace::kNone;

/// A thread's hot record: plain data in one flat vector, indexed by ThreadId. Its program
/// (the coroutine that owns the frame) lives in Engine::programs_.
struct Engine::Thread {
  ThreadState s;  ///< the state machines
  int core = -1;  ///< its core while s.core == CoreState::OnCore
  trace::LaneId lane = trace::kNone;
  Gil* gil = nullptr;  ///< its process's GIL; null without one
  std::coroutine_handle<> continuation;
  TimerHeap::Slot timer = 0;          ///< its program timer: Resume, GilAttempt or OldGilHandoff
  TimerHeap::Slot compute_timer = 0;  ///< ComputeDone, pending while a compute is planned

  // Current compute.
  Work work;
  Time remaining;
  Time run_start;
  Time run_end;  ///< when the running compute ends, if nothing interrupts it

  // Labels for wait spans.
  std::uint32_t job = trace::kNone;
  std::uint16_t step = trace::kNoStep;

  Time waiting_since = Time::max();  ///< when its GIL wait began; Time::max() while not waiting
  bool refill_pending = false;       ///< woken on a halted core: its next Python refills caches (S6)
};

struct Engine::Core {
  ThreadId thread = kNoThread;
  ThreadId last = kNoThread;
  Time slice_start;
  Time idle_since;  ///< for placement (S1): since when nobody was given it
  // What the idle governor knows (G8): a woken thread that ran on it for a moment ended
  // one idle period and began another, though the core was never given to it.
  Time idle_period_since;
  Time last_idle;  ///< how long its previous idle period lasted
  TimerHeap::Slot quantum = 0;  ///< QuantumEnd, pending while its slice is armed
};

}  // namespace gilsim::model

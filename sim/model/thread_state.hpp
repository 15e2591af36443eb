// A simulated thread's state as a few explicit state machines, one per concern, instead of
// a set of flags: what its program waits for, where it is for the OS, where it stands with
// its GIL, how its compute progresses, and notify() bookkeeping. Each transition is a small
// method that says which states it leaves from; the engine calls them, tests check them.
#pragma once

#include <cassert>
#include <cstdint>

namespace gilsim::model {

/// What the thread's program waits for.
enum class Activity : std::uint8_t { Nothing, Compute, Wait, Exited };

/// Where the thread is for the OS (S1-S4).
enum class CoreState : std::uint8_t {
  Off,     ///< needs no core (blocked, sleeping, waiting for the GIL) or not asked yet
  Queued,  ///< in the OS run queue (Runnable)
  OnCore,  ///< has a core
};

/// Why a thread with no core that is not queued still counts on a run queue (S3).
enum class Parked : std::uint8_t {
  No,
  Delayed,  ///< it blocked owing time: it stays until it is paid off (DELAY_DEQUEUE)
  Waking,   ///< a signal woke it; it joined its queue then, before it runs (try_to_wake_up)
};

/// Where the thread stands with its interpreter's GIL (G1-G8, O1-O3).
enum class GilState : std::uint8_t {
  None,     ///< neither holds nor waits
  Holding,  ///< the holder
  Waiting,  ///< in a timed wait on the GIL's condition (a GilWaitQueue member)
  Woken,    ///< signalled; it tries to take the GIL when it is awake and on a core (G8, G8a)
  Asking,   ///< back from a blocking call with no core yet: tries once it has one (G8a)
  Switch,   ///< dropped it with a request pending; waits until another thread took it (G6)
};

/// What the thread does once its GIL wait ends.
enum class AfterGil : std::uint8_t {
  ResumeProgram,    ///< acquire_gil() or release_gil() completes
  ContinueCompute,  ///< a compute goes on (asked for the GIL again)
};

/// How its compute progresses.
enum class ComputeProgress : std::uint8_t {
  Stopped,         ///< not computing on a core now
  Running,         ///< computing at full speed
  RunningDilated,  ///< old GIL: slowed by the holder's releases while others wait (O2)
};

/// notify() bookkeeping: a notify that comes first is kept for the next wait_for_notify().
enum class Notify : std::uint8_t { None, Pending, Waiting };

struct ThreadState {
  Activity doing = Activity::Nothing;
  CoreState core = CoreState::Off;
  GilState gil = GilState::None;
  AfterGil after_gil = AfterGil::ResumeProgram;
  ComputeProgress progress = ComputeProgress::Stopped;
  Notify notify = Notify::None;
  bool just_woke = false;   ///< back from I/O or a sleep: may preempt a CPU hog once (S3)
  bool forced_out = false;  ///< it just lost the GIL in a forced switch (the mark says why)

  bool holds_gil() const { return gil == GilState::Holding; }
  bool running() const { return progress != ComputeProgress::Stopped; }
  bool on_core() const { return core == CoreState::OnCore; }

  // GIL
  void took_gil() {
    assert(gil != GilState::Holding);
    gil = GilState::Holding;
  }
  void dropped_gil() {
    assert(gil == GilState::Holding);
    gil = GilState::None;
  }
  /// Runnable, waiting for a core before it can call take_gil (G8a).
  void ask_for_gil() {
    assert(gil == GilState::None);
    gil = GilState::Asking;
  }
  /// Starts (or, after a lost race, restarts) a timed wait; says whether it is a new wait.
  bool wait_for_gil() {
    assert(gil != GilState::Holding && gil != GilState::Switch);
    const bool fresh = gil == GilState::None || gil == GilState::Asking;
    gil = GilState::Waiting;
    return fresh;
  }
  void signalled() {
    assert(gil == GilState::Waiting);
    gil = GilState::Woken;
  }
  void wait_for_switch(AfterGil then) {
    assert(gil == GilState::None);
    gil = GilState::Switch;
    after_gil = then;
  }
  void switch_done() {
    assert(gil == GilState::Switch);
    gil = GilState::None;
  }

  // notify()
  /// wait_for_notify(): true if a notify came first (consumed: no wait).
  bool wait_for_notify() {
    if (notify == Notify::Pending) {
      notify = Notify::None;
      return true;
    }
    notify = Notify::Waiting;
    return false;
  }
  /// notify(): true if the thread waits and must be resumed now.
  bool notified() {
    if (notify != Notify::Waiting) {
      notify = Notify::Pending;
      return false;
    }
    notify = Notify::None;
    return true;
  }
  /// Its wait ended (a deadline, a notify, the end of a sleep); a pending notify stays.
  void wait_ended() {
    if (notify == Notify::Waiting) notify = Notify::None;
  }
};

}  // namespace gilsim::model

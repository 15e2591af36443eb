// A real GIL on a mutex and two condition variables, following docs/model.md G1-G8 (new
// GIL: timed waits, drop requests, forced switching) and O1-O3 (old GIL: release and
// immediately reacquire, no handoff). A GilSeat is one thread's place at it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

#include "sim/real/run_context.hpp"
#include "sim/real/run_record.hpp"
#include "sim/trace/trace.hpp"

namespace gilsim::real {

class RealGil {
 public:
  /// `gil_lane` is the process's GIL lane; the mode and interval come from ctx.settings().
  /// Registers itself to be woken when the run aborts.
  RealGil(RunContext& ctx, trace::LaneId gil_lane);

  /// New GIL: a waiter has asked the holder to drop it (read at check points, G4).
  bool drop_requested() const { return drop_request_.load(std::memory_order_relaxed); }
  scenario::GilMode mode() const { return ctx_.settings().gil; }

 private:
  friend class GilSeat;
  /// A GIL-lane time: never earlier than `floor`, strictly after the previous GIL event.
  Time stamp(Time floor);

  RunContext& ctx_;
  trace::LaneId lane_;
  std::mutex mutex_;
  std::condition_variable cond_;         ///< signalled on every drop (G6)
  std::condition_variable switch_cond_;  ///< signalled on every take (G3, forced switching)
  bool locked_ = false;
  trace::LaneId holder_ = trace::kNone;       ///< thread lane holding it now
  trace::LaneId last_holder_ = trace::kNone;  ///< thread lane that took it last
  std::uint64_t switch_number_ = 0;
  bool last_drop_forced_ = false;
  std::atomic<bool> drop_request_{false};
  Time last_event_{-1};
  AbortHook wake_on_abort_;  ///< last: registered once everything else exists
};

/// Why a thread drops the GIL.
enum class DropReason {
  Blocking,    ///< around a blocking call or native code (G7); waits for a switch if one was asked
  CheckPoint,  ///< answering a drop request (new GIL) or a check period ending (old GIL)
  Idle,        ///< blocking on a queue with nothing to do: like Blocking, and the lane goes idle
  Exit,        ///< the thread is done with Python (no forced switching, as CPython's tstate NULL)
};

/// One thread's seat at a GIL (or at none, in free-threaded runs). It records what happens
/// on the GIL lane and on the thread's lane into the thread's own Recorder, so that a
/// thread's Running spans always lie inside its Held spans.
class GilSeat {
 public:
  GilSeat(RunContext& ctx, RealGil* gil, trace::LaneId thread_lane, Recorder& recorder);

  /// Takes the GIL (G1-G3), showing WaitingGil while it waits; the thread lane then enters
  /// `then`. Returns the time it was taken. Throws RunAborted on abort.
  Time take(trace::SpanState then, std::uint32_t subject = trace::kNone,
            std::uint16_t step = trace::kNoStep);
  /// Calls `f` once, just after the next take() has the GIL (and has let go of the GIL's
  /// own mutex): a new thread's bootstrap lets Thread.start() return (T1a).
  void on_next_take(std::function<void()> f) { on_next_take_ = std::move(f); }
  /// Drops the GIL (G6); the thread lane enters `then` (ignored for CheckPoint, which shows
  /// WaitingGil; Idle and Exit clear the lane). Returns the time it was dropped.
  Time drop(DropReason reason, trace::SpanState then = trace::SpanState::Runnable,
            std::uint32_t subject = trace::kNone, std::uint16_t step = trace::kNoStep);

  bool holds() const { return holds_; }
  RealGil* gil() const { return gil_; }
  trace::LaneId lane() const { return lane_; }
  Recorder& recorder() { return recorder_; }

  /// Inside CPU work: gives the GIL away if the rules say so at this check point and takes
  /// it back; the thread lane returns to Running (subject, step).
  void yield_at_check_point(std::uint32_t subject, std::uint16_t step);

  /// Writes a release that was held back (see take()); call when the thread ends.
  void flush();

 private:
  void flush_pending();
  Time take_gil(trace::SpanState then, std::uint32_t subject, std::uint16_t step);

  RunContext& ctx_;
  RealGil* gil_;
  trace::LaneId lane_;
  Recorder& recorder_;
  bool holds_ = false;
  Time held_since_;
  /// A release not yet written: if the same thread takes the GIL back at once and nobody
  /// held it meanwhile (the old GIL's check periods, a zero-timeout poll), the Held span
  /// simply goes on, instead of thousands of sub-microsecond gaps.
  struct PendingRelease {
    bool active = false;
    bool thread_waiting = false;  ///< also write the thread's WaitingGil at `at`
    Time at;
    std::uint32_t subject = trace::kNone;
    std::uint16_t step = trace::kNoStep;
  } pending_;
  std::function<void()> on_next_take_;
};

}  // namespace gilsim::real

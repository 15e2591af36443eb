// The real GIL's take and drop, rule by rule (docs/model.md G1-G8, O1-O3).
#include "sim/real/real_gil.hpp"

#include <cassert>
#include <chrono>
#include <utility>

namespace gilsim::real {

using trace::MarkKind;
using trace::SpanState;

namespace {
/// A release and re-take closer than this, with nobody holding the GIL between, is not shown.
constexpr Time kUnseenGap{20'000};
}  // namespace

RealGil::RealGil(RunContext& ctx, trace::LaneId gil_lane)
    : ctx_(ctx), lane_(gil_lane), wake_on_abort_(ctx, [this] {
        std::lock_guard lock(mutex_);
        cond_.notify_all();
        switch_cond_.notify_all();
      }) {}

Time RealGil::stamp(Time floor) {
  Time t = max(ctx_.now(), floor);
  if (t <= last_event_) t = last_event_ + Time{1};
  last_event_ = t;
  return t;
}

GilSeat::GilSeat(RunContext& ctx, RealGil* gil, trace::LaneId thread_lane, Recorder& recorder)
    : ctx_(ctx), gil_(gil), lane_(thread_lane), recorder_(recorder) {}

void GilSeat::flush_pending() {
  if (!pending_.active) return;
  recorder_.clear(pending_.at, gil_->lane_);
  if (pending_.thread_waiting) {
    recorder_.state(pending_.at, lane_, SpanState::WaitingGil, pending_.subject, pending_.step);
  }
  pending_ = {};
}

void GilSeat::flush() {
  if (!gil_) return;
  std::lock_guard lock(gil_->mutex_);
  flush_pending();
}

Time GilSeat::take(SpanState then, std::uint32_t subject, std::uint16_t step) {
  const Time taken = take_gil(then, subject, step);
  if (on_next_take_) std::exchange(on_next_take_, nullptr)();
  return taken;
}

Time GilSeat::take_gil(SpanState then, std::uint32_t subject, std::uint16_t step) {
  assert(!holds_ && "take() twice on one seat: drop() the GIL first");
  if (!gil_) {
    const Time t = recorder_.monotonic(ctx_.now());
    recorder_.state(t, lane_, then, subject, step);
    holds_ = true;
    return t;
  }
  RealGil& g = *gil_;
  std::unique_lock lock(g.mutex_);
  if (g.locked_) {
    // G1 failed: someone holds it. Our held-back release (if any) was real.
    const Time asked = g.stamp(recorder_.last());
    flush_pending();
    recorder_.state(asked, lane_, SpanState::WaitingGil, subject, step);
    recorder_.mark(asked, MarkKind::GilRequest, lane_, g.holder_);
    if (g.mode() == scenario::GilMode::New) {
      const auto interval = std::chrono::nanoseconds(ctx_.settings().switch_interval.ns());
      while (g.locked_) {
        // G2: wait one interval; if nothing switched meanwhile, ask the holder to drop it.
        const std::uint64_t saved = g.switch_number_;
        const Time wait_began = ctx_.now();
        const bool timed_out = g.cond_.wait_for(lock, interval) == std::cv_status::timeout;
        ctx_.throw_if_aborted();
        if (timed_out && g.locked_ && g.switch_number_ == saved) {
          g.drop_request_.store(true, std::memory_order_relaxed);
          const Time now = ctx_.now();
          recorder_.mark(now, MarkKind::DropRequest, lane_, g.holder_, (now - wait_began).ns());
        }
      }
    } else {
      // O2/O3: no request, no timeout; just try again whenever the lock is released.
      while (g.locked_) {
        g.cond_.wait(lock);
        ctx_.throw_if_aborted();
      }
    }
  }
  // G3: take it; note a change of holder, wake a forced-switch dropper, clear the request.
  g.locked_ = true;
  g.holder_ = lane_;
  const Time taken = g.stamp(recorder_.last());
  const trace::LaneId previous = g.last_holder_;
  const bool switched = previous != lane_;
  if (switched) {
    g.last_holder_ = lane_;
    ++g.switch_number_;
  }
  g.switch_cond_.notify_all();
  g.drop_request_.store(false, std::memory_order_relaxed);

  if (pending_.active && !switched && taken - pending_.at < kUnseenGap) {
    pending_ = {};  // nobody held it in between: the Held span goes on
  } else {
    flush_pending();
    recorder_.state(taken, g.lane_, SpanState::Held, lane_);
    held_since_ = taken;
    if (switched && previous != trace::kNone && !g.last_drop_forced_) {
      recorder_.mark(taken, MarkKind::GilHandoff, lane_, previous);
    }
  }
  recorder_.state(taken, lane_, then, subject, step);
  holds_ = true;
  return taken;
}

Time GilSeat::drop(DropReason reason, SpanState then, std::uint32_t subject, std::uint16_t step) {
  assert(holds_ && "drop() without holding the GIL: take() it first");
  holds_ = false;
  if (!gil_) {
    const Time t = recorder_.monotonic(ctx_.now());
    if (reason == DropReason::Exit || reason == DropReason::Idle) {
      recorder_.clear(t, lane_);
    } else if (reason == DropReason::Blocking) {
      recorder_.state(t, lane_, then, subject, step);
    }
    return t;
  }
  RealGil& g = *gil_;
  std::unique_lock lock(g.mutex_);
  flush_pending();
  const Time dropped = g.stamp(recorder_.last());
  const bool new_gil = g.mode() == scenario::GilMode::New;
  g.locked_ = false;
  g.holder_ = trace::kNone;
  g.last_drop_forced_ = new_gil && reason == DropReason::CheckPoint;
  g.cond_.notify_one();  // G6: wake one waiter, chosen by the OS

  pending_ = PendingRelease{true, reason == DropReason::CheckPoint, dropped, subject, step};
  if (reason == DropReason::Exit || reason == DropReason::Idle) {
    recorder_.clear(dropped, lane_);
  } else if (reason == DropReason::Blocking) {
    recorder_.state(dropped, lane_, then, subject, step);
  }

  // G6, forced switching: with a request pending, wait until another thread has taken it.
  if (new_gil && reason != DropReason::Exit && g.drop_request_.load(std::memory_order_relaxed)) {
    if (g.last_holder_ == lane_) {
      g.drop_request_.store(false, std::memory_order_relaxed);
      while (g.last_holder_ == lane_ && !ctx_.aborted()) g.switch_cond_.wait(lock);
      ctx_.throw_if_aborted();
    }
    if (reason == DropReason::CheckPoint) {
      recorder_.mark(dropped, MarkKind::ForcedSwitch, lane_, g.last_holder_, (dropped - held_since_).ns());
    }
  }
  return dropped;
}

void GilSeat::yield_at_check_point(std::uint32_t subject, std::uint16_t step) {
  if (!gil_) return;
  drop(DropReason::CheckPoint, SpanState::WaitingGil, subject, step);
  take(SpanState::Running, subject, step);
}

}  // namespace gilsim::real

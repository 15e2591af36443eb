// The GIL's own pthread mutex (docs/model.md G8b): take_gil and drop_gil hold it for short
// critical sections, and a signalled waiter must re-lock it on its way out of the condition
// wait before it can look at `locked`. Held, the waiter sleeps on the mutex's futex until an
// unlock wakes it. A resource of its own, as GilWaitQueue is: the engine says when a section
// begins and how long it lasts, and asks who sleeps and who is woken next.
#pragma once

#include <cstdint>
#include <deque>

#include "sim/trace/time.hpp"
#include "sim/trace/trace.hpp"

namespace gilsim::model {

class GilMutex {
 public:
  static constexpr std::uint32_t kNobody = trace::kNone;

  /// A critical section of `length` that begins at `now` by a thread the model lets in at
  /// once (a dropper, or a taker of the free GIL): the mutex is held until its end, or until
  /// the end of the section already under way if that is later.
  void hold(Time now, Time length) {
    const Time end = now + length;
    if (end > free_at_) free_at_ = end;
  }
  bool held(Time now) const { return now < free_at_; }
  /// When the sections under way end: the unlock that wakes a sleeper.
  Time free_at() const { return free_at_; }

  /// `thread` found the mutex held and sleeps on it, behind those already asleep (the
  /// kernel wakes a futex's waiters of equal priority in the order they began to wait).
  /// True when no sleeper's wake-up is on its way: the engine must wake one at the unlock.
  bool sleep(std::uint32_t thread) {
    sleepers_.push_back(thread);
    return woken_ == kNobody;
  }
  /// At an unlock, the sleeper the futex wakes (the longest asleep), or kNobody when none
  /// sleeps or one woken before has not yet tried the mutex again.
  std::uint32_t wake_next() {
    if (woken_ != kNobody || sleepers_.empty()) return kNobody;
    woken_ = sleepers_.front();
    sleepers_.pop_front();
    return woken_;
  }
  /// `thread` tries the mutex: if it was the woken sleeper, the next unlock may wake another.
  void arrived(std::uint32_t thread) {
    if (thread == woken_) woken_ = kNobody;
  }
  std::size_t sleeping() const { return sleepers_.size(); }
  bool has_sleepers() const { return !sleepers_.empty(); }  // one compare: asked at every take

 private:
  Time free_at_;
  std::deque<std::uint32_t> sleepers_;
  std::uint32_t woken_ = kNobody;
};

}  // namespace gilsim::model

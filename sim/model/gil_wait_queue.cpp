// Phase bookkeeping for the new GIL's timed waiters.
#include "sim/model/gil_wait_queue.hpp"

#include <algorithm>
#include <bit>
#include <cassert>

namespace gilsim::model {

namespace {

/// The phase of `at` in an interval of `interval` ns, in [0, interval).
std::int64_t phase_in(Time at, std::int64_t interval) {
  std::int64_t r = at.ns() % interval;  // a remainder's sign is the time's
  return r < 0 ? r + interval : r;
}

}  // namespace

GilWaitQueue::GilWaitQueue(Time interval) : interval_(interval) {
  assert(interval > Time::zero() && "a GIL's switch interval is positive");
  // Buckets a power of two wide, so a phase's bucket is a shift, at most kMaxBuckets of them.
  while (((interval_.ns() - 1) >> bucket_shift_) >= static_cast<std::int64_t>(kMaxBuckets)) ++bucket_shift_;
  buckets_count_ = static_cast<std::size_t>((interval_.ns() - 1) >> bucket_shift_) + 1;
  switch_phase_ = phase_in(last_switch_, interval_.ns());
}

bool GilWaitQueue::contains(std::uint32_t thread) const {
  return thread < waiters_.size() && waiters_[thread].index >= 0;
}

void GilWaitQueue::place_late_waiters() {
  for (std::size_t i = late_head_; i < late_.size(); ++i) {
    const auto [thread, armed] = late_[i];
    const Waiter& w = waiters_[thread];
    if (w.place != Place::Late || w.armed != armed) continue;  // stale entry
    phase_insert(thread, phase_in(armed, interval_.ns()), waiters_[thread]);
  }
  late_.clear();
  late_head_ = 0;
}

void GilWaitQueue::find_drop_request() {
  due_known_ = true;
  has_due_ = true;
  const std::int64_t I = interval_.ns();
  if (in_buckets_ > 0) {
    // Any waiter in the buckets is due within two intervals of the switch; a late one later.
    const Entry& first = first_due_in_buckets();
    const std::int64_t r = switch_phase_;
    const std::int64_t offset = first.phase >= r ? first.phase - r : I - r + first.phase;
    due_ = Due{last_switch_ + Time{offset + I}, first.thread};
    return;
  }
  // Only late waiters: the first armed completes a full interval first.
  while (late_head_ < late_.size()) {
    const auto [thread, armed] = late_[late_head_];
    const Waiter& w = waiters_[thread];
    if (w.place == Place::Late && w.armed == armed) {
      due_ = Due{armed + interval_, thread};
      return;
    }
    ++late_head_;
  }
  has_due_ = false;
}

// The buckets ---------------------------------------------------------------------------
// Each is called from one place, once per hand-off: inlined there (a call's saving and
// restoring of registers cost as much as the work). The insertion and the removal are in the
// header, with arm() and remove().

std::size_t GilWaitQueue::next_bucket(std::size_t b) const {
  if (b >= buckets_count_) return buckets_count_;
  std::size_t word = b / 64;
  std::uint64_t bits = in_use_[word] & (~std::uint64_t{0} << (b % 64));
  while (bits == 0) {
    if (++word == in_use_.size()) return buckets_count_;
    bits = in_use_[word];
  }
  return word * 64 + static_cast<std::size_t>(std::countr_zero(bits));
}

[[gnu::always_inline]] inline const GilWaitQueue::Entry& GilWaitQueue::first_due_in_buckets() const {
  const std::int64_t phase = switch_phase_;
  // The switch's own bucket is looked into only when the bitmap says it holds a waiter (it
  // seldom does: a bucket is a few us of phase), so an empty one's header is not read.
  const std::size_t own = bucket_of(phase);
  std::size_t b = next_bucket(own);
  const Entry* e = nullptr;
  const Entry* end = nullptr;
  if (b == own) {
    e = buckets_[b].data();
    end = e + buckets_[b].size();
    while (e != end && e->phase < phase) ++e;
    if (e == end) b = next_bucket(b + 1);
  }
  if (e == end) {
    if (b == buckets_count_) b = next_bucket(0);  // wrap round to the first phase of all
    assert(b != buckets_count_ && "first_due_in_buckets() with no waiter in the buckets");
    e = buckets_[b].data();
    end = e + buckets_[b].size();
  }
  const Entry& first = *e;
  if (e + 1 == end || e[1].phase != first.phase) return first;
  // Waiters of one phase (rare): the lowest id of those armed at or before the switch, else
  // the first armed since.
  const Entry* best = &first;
  bool best_before = waiters_[first.thread].arm_seq < switch_seq_;
  for (const Entry* j = e + 1; j != end && j->phase == first.phase; ++j) {
    const Waiter& w = waiters_[j->thread];
    const bool before = w.arm_seq < switch_seq_;
    const bool better = before ? !best_before || j->thread < best->thread
                               : !best_before && w.arm_seq < waiters_[best->thread].arm_seq;
    if (better) {
      best = j;
      best_before = before;
    }
  }
  return *best;
}

}  // namespace gilsim::model

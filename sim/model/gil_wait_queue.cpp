// Phase bookkeeping for the new GIL's timed waiters.
#include "sim/model/gil_wait_queue.hpp"

#include <algorithm>
#include <bit>
#include <cassert>

namespace gilsim::model {

GilWaitQueue::GilWaitQueue(Time interval)
    : interval_(interval),
      bucket_width_(std::max<std::int64_t>(1, (interval.ns() + static_cast<std::int64_t>(kBuckets) - 1) /
                                                  static_cast<std::int64_t>(kBuckets))) {}

bool GilWaitQueue::contains(std::uint32_t thread) const {
  return thread < waiters_.size() && waiters_[thread].index >= 0;
}

void GilWaitQueue::arm(std::uint32_t thread, Time at) {
  if (thread >= waiters_.size()) waiters_.resize(thread + 1);
  if (waiters_[thread].index >= 0) remove(thread);
  // The remembered answer stays right: a tie goes to the waiters already there (G2), so the
  // new waiter is the first due only if strictly earlier.
  if (due_known_ && (!due_ || at + interval_ < due_->at)) due_ = Due{at + interval_, thread};
  Waiter& w = waiters_[thread];
  w.armed = at;
  w.index = static_cast<std::int32_t>(members_.size());
  members_.push_back(thread);
  since_switch_.emplace_back(thread, at);
}

void GilWaitQueue::remove(std::uint32_t thread) {
  assert(contains(thread) && "remove() of a thread that is not waiting");
  // The first due is the least of all waiters in one order (time, then the ties of G2):
  // taking away another waiter leaves it the least.
  if (due_ && due_->thread == thread) due_known_ = false;
  Waiter& w = waiters_[thread];
  if (w.phased) phase_erase(thread);
  const auto index = static_cast<std::size_t>(w.index);
  const std::uint32_t last = members_.back();
  members_[index] = last;
  waiters_[last].index = static_cast<std::int32_t>(index);
  members_.pop_back();
  w.index = -1;
}

void GilWaitQueue::on_switch(Time at) {
  due_known_ = false;
  for (std::size_t i = since_switch_head_; i < since_switch_.size(); ++i) {
    const auto [thread, armed] = since_switch_[i];
    Waiter& w = waiters_[thread];
    if (w.index < 0 || w.armed != armed || w.phased) continue;  // stale entry
    phase_insert(thread, phase_of(armed));
  }
  since_switch_.clear();
  since_switch_head_ = 0;
  last_switch_ = at;
}

std::optional<GilWaitQueue::Due> GilWaitQueue::find_drop_request() {
  std::optional<Due> best;
  // Armed before the last switch: their first full interval starts at their first grid
  // point at or after the switch.
  if (phased_ > 0) {
    const std::int64_t I = interval_.ns();
    const std::int64_t s = last_switch_.ns();
    std::int64_t r = s % I;  // the switch's phase (one division: a remainder's sign is the time's)
    if (r < 0) r += I;
    const Entry& first = phase_lower_bound(r);  // the lowest id of the first phase at or after r
    const std::int64_t offset = first.phase >= r ? first.phase - r : I - r + first.phase;
    best = Due{Time{s + offset + I}, first.thread};
  }
  // Armed since the last switch: the earliest of them completes a full interval first.
  while (since_switch_head_ < since_switch_.size()) {
    const auto [thread, armed] = since_switch_[since_switch_head_];
    const Waiter& w = waiters_[thread];
    if (w.index >= 0 && w.armed == armed && !w.phased) {
      const Time due = armed + interval_;
      if (!best || due < best->at) best = Due{due, thread};
      break;
    }
    ++since_switch_head_;
  }
  return best;
}

// The buckets ---------------------------------------------------------------------------
// Each is called from one place, once per hand-off: inlined there (a call's saving and
// restoring of registers cost as much as the work).

std::size_t GilWaitQueue::next_bucket(std::size_t b) const {
  if (b >= kBuckets) return kBuckets;
  std::size_t word = b / 64;
  std::uint64_t bits = in_use_[word] & (~std::uint64_t{0} << (b % 64));
  while (bits == 0) {
    if (++word == in_use_.size()) return kBuckets;
    bits = in_use_[word];
  }
  return word * 64 + static_cast<std::size_t>(std::countr_zero(bits));
}

[[gnu::always_inline]] inline void GilWaitQueue::phase_insert(std::uint32_t thread, std::int64_t phase) {
  if (buckets_.empty()) {  // made at the first wait: most interpreters (a worker process's) never see one
    buckets_.resize(kBuckets);
    in_use_.resize(kBuckets / 64);
  }
  const std::size_t b = bucket_of(phase);
  auto& bucket = buckets_[b];
  const Entry e{phase, thread};
  // Insertion from the back, by hand: arrivals tend to come in phase order, and a bucket
  // holds a few entries, for which std::vector::insert's general path costs more.
  bucket.push_back(e);
  std::size_t i = bucket.size() - 1;
  for (; i > 0 && e < bucket[i - 1]; --i) bucket[i] = bucket[i - 1];
  bucket[i] = e;
  in_use_[b / 64] |= std::uint64_t{1} << (b % 64);
  Waiter& w = waiters_[thread];
  w.bucket = static_cast<std::uint16_t>(b);
  w.phased = true;
  ++phased_;
}

[[gnu::always_inline]] inline void GilWaitQueue::phase_erase(std::uint32_t thread) {
  Waiter& w = waiters_[thread];
  const std::size_t b = w.bucket;
  auto& bucket = buckets_[b];
  std::size_t i = 0;
  while (bucket[i].thread != thread) {
    ++i;
    assert(i < bucket.size() && "a phased waiter missing from its bucket");
  }
  for (; i + 1 < bucket.size(); ++i) bucket[i] = bucket[i + 1];
  bucket.pop_back();
  if (bucket.empty()) in_use_[b / 64] &= ~(std::uint64_t{1} << (b % 64));
  w.phased = false;
  --phased_;
}

[[gnu::always_inline]] inline const GilWaitQueue::Entry& GilWaitQueue::phase_lower_bound(std::int64_t phase) const {
  const std::size_t b = bucket_of(phase);
  for (const Entry& e : buckets_[b]) {
    if (e.phase >= phase) return e;
  }
  std::size_t next = next_bucket(b + 1);
  if (next == kBuckets) next = next_bucket(0);  // wrap round to the first phase of all
  assert(next != kBuckets && "phase_lower_bound() with no phased waiter");
  return buckets_[next].front();
}

}  // namespace gilsim::model

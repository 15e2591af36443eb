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

bool GilWaitQueue::arm(std::uint32_t thread, Time at) {
  if (thread >= waiters_.size()) waiters_.resize(thread + 1);
  if (waiters_[thread].index >= 0) remove(thread);
  // The remembered answer stays right: a tie goes to the waiters already there (G2), so the
  // new waiter is the first due only if strictly earlier.
  bool due_changed = !due_known_;
  if (due_known_ && (!due_ || at + interval_ < due_->at)) {
    due_ = Due{at + interval_, thread};
    due_changed = true;
  }
  Waiter& w = waiters_[thread];
  // Armed again at the instant it armed since the switch, it keeps its place among the ties.
  if (w.armed != at || w.arm_seq < switch_seq_) w.arm_seq = next_arm_seq_++;
  w.armed = at;
  w.index = static_cast<std::int32_t>(members_.size());
  members_.push_back(thread);
  const std::int64_t I = interval_.ns();
  const std::int64_t since = (at - last_switch_).ns();  // at or after the switch: time only moves on
  if (since < I) {
    // Its first grid point at or after the switch is `at` itself: the phase lookup finds it.
    std::int64_t phase = switch_phase_ + since;  // `at` mod I without a division
    if (phase >= I) phase -= I;
    phase_insert(thread, phase);
  } else {
    w.place = Place::Late;
    late_.emplace_back(thread, at);
  }
  return due_changed;
}

void GilWaitQueue::remove(std::uint32_t thread) {
  assert(contains(thread) && "remove() of a thread that is not waiting");
  // The first due is the least of all waiters in one order (time, then the ties of G2):
  // taking away another waiter leaves it the least.
  if (due_ && due_->thread == thread) due_known_ = false;
  Waiter& w = waiters_[thread];
  if (w.place == Place::Bucket) phase_erase(thread);
  w.place = Place::Away;  // a late waiter's entry is left behind, stale
  const auto index = static_cast<std::size_t>(w.index);
  const std::uint32_t last = members_.back();
  members_[index] = last;
  waiters_[last].index = static_cast<std::int32_t>(index);
  members_.pop_back();
  w.index = -1;
}

void GilWaitQueue::place_late_waiters() {
  for (std::size_t i = late_head_; i < late_.size(); ++i) {
    const auto [thread, armed] = late_[i];
    const Waiter& w = waiters_[thread];
    if (w.place != Place::Late || w.armed != armed) continue;  // stale entry
    phase_insert(thread, phase_in(armed, interval_.ns()));
  }
  late_.clear();
  late_head_ = 0;
}

std::optional<GilWaitQueue::Due> GilWaitQueue::find_drop_request() {
  const std::int64_t I = interval_.ns();
  if (in_buckets_ > 0) {
    // Any waiter in the buckets is due within two intervals of the switch; a late one later.
    const Entry& first = first_due_in_buckets();
    const std::int64_t r = switch_phase_;
    const std::int64_t offset = first.phase >= r ? first.phase - r : I - r + first.phase;
    return Due{last_switch_ + Time{offset + I}, first.thread};
  }
  // Only late waiters: the first armed completes a full interval first.
  while (late_head_ < late_.size()) {
    const auto [thread, armed] = late_[late_head_];
    const Waiter& w = waiters_[thread];
    if (w.place == Place::Late && w.armed == armed) return Due{armed + interval_, thread};
    ++late_head_;
  }
  return std::nullopt;
}

// The buckets ---------------------------------------------------------------------------
// Each is called from one place, once per hand-off: inlined there (a call's saving and
// restoring of registers cost as much as the work).

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

[[gnu::always_inline]] inline void GilWaitQueue::phase_insert(std::uint32_t thread, std::int64_t phase) {
  if (buckets_.empty()) {  // made at the first wait: most interpreters (a worker process's) never see one
    buckets_.resize(buckets_count_);
    in_use_.resize((buckets_count_ + 63) / 64);
  }
  const std::size_t b = bucket_of(phase);
  auto& bucket = buckets_[b];
  const Entry e{phase, thread};
  // Insertion from the back, by hand: arrivals tend to come in phase order, and a bucket holds a few entries, for
  // which std::vector::insert's general path costs more.
  bucket.push_back(e);
  std::size_t i = bucket.size() - 1;
  for (; i > 0 && phase < bucket[i - 1].phase; --i) bucket[i] = bucket[i - 1];
  bucket[i] = e;
  in_use_[b / 64] |= std::uint64_t{1} << (b % 64);
  Waiter& w = waiters_[thread];
  w.bucket = static_cast<std::uint16_t>(b);
  w.place = Place::Bucket;
  ++in_buckets_;
}

[[gnu::always_inline]] inline void GilWaitQueue::phase_erase(std::uint32_t thread) {
  Waiter& w = waiters_[thread];
  const std::size_t b = w.bucket;
  auto& bucket = buckets_[b];
  std::size_t i = 0;
  while (bucket[i].thread != thread) {
    ++i;
    assert(i < bucket.size() && "a waiter missing from its bucket");
  }
  for (; i + 1 < bucket.size(); ++i) bucket[i] = bucket[i + 1];
  bucket.pop_back();
  if (bucket.empty()) in_use_[b / 64] &= ~(std::uint64_t{1} << (b % 64));
  --in_buckets_;
}

[[gnu::always_inline]] inline const GilWaitQueue::Entry& GilWaitQueue::first_due_in_buckets() const {
  const std::int64_t phase = switch_phase_;
  std::size_t b = bucket_of(phase);
  std::size_t i = 0;
  const std::vector<Entry>* bucket = &buckets_[b];
  while (i < bucket->size() && (*bucket)[i].phase < phase) ++i;
  if (i == bucket->size()) {
    b = next_bucket(b + 1);
    if (b == buckets_count_) b = next_bucket(0);  // wrap round to the first phase of all
    assert(b != buckets_count_ && "first_due_in_buckets() with no waiter in the buckets");
    bucket = &buckets_[b];
    i = 0;
  }
  const Entry& first = (*bucket)[i];
  if (i + 1 == bucket->size() || (*bucket)[i + 1].phase != first.phase) return first;
  // Waiters of one phase (rare): the lowest id of those armed at or before the switch, else
  // the first armed since.
  const Entry* best = &first;
  bool best_before = waiters_[first.thread].arm_seq < switch_seq_;
  for (std::size_t j = i + 1; j < bucket->size() && (*bucket)[j].phase == first.phase; ++j) {
    const Entry& e = (*bucket)[j];
    const Waiter& w = waiters_[e.thread];
    const bool before = w.arm_seq < switch_seq_;
    const bool better = before ? !best_before || e.thread < best->thread
                               : !best_before && w.arm_seq < waiters_[best->thread].arm_seq;
    if (better) {
      best = &e;
      best_before = before;
    }
  }
  return *best;
}

}  // namespace gilsim::model

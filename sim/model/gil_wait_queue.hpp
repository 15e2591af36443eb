// The new GIL's timed waiters (docs/model.md G2), and when the next drop request falls due.
//
// CPython wakes every waiter once per switch interval; a waiter sets the drop request only
// when a whole interval of its own wait passed with no switch. Each waiter's timeouts lie on
// a grid (its arm time + k * interval), so the first request after a switch at s comes from
// the waiter whose grid point is the first at or after s: a lookup by phase, a short scan
// per hand-off instead of O(waiters) per interval.
//
// Waiters are kept by phase (armed mod interval) in fixed buckets over the interval, each a
// short array of entries sorted by phase, with a bitmap of the buckets in use: the first
// waiter at or after a phase is its bucket's next entry or the first entry of the next
// bucket in use (a word scan of the bitmap). No pointer chasing, and nothing is allocated
// once every bucket has grown to its size.
//
// A waiter goes into the buckets when it arms, not at the next switch: armed at a, less
// than an interval after the switch s, its first grid point at or after s is a itself, which
// is what the phase lookup from s finds. So a switch moves nobody. Ties, waiters of one
// phase, are settled as the rule has them (G2): those armed at or before the switch first,
// the lowest id of them; else the first armed since, by a sequence number of arms (a waiter
// armed again at the same instant keeps its place). Only a waiter armed a whole interval or
// more after the last switch (the holder kept the GIL that long) waits in a list until the
// next switch: any waiter in the buckets is due before it.
#pragma once

#include <cassert>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "sim/trace/time.hpp"

namespace gilsim::model {

class GilWaitQueue {
 public:
  explicit GilWaitQueue(Time interval);

  /// `thread` starts (or restarts, after losing a race) a timed wait at `at`. Says whether
  /// next_drop_request() may answer otherwise now: false when its answer was known and
  /// stays (the new waiter is not due first), so whoever follows it has nothing to redo.
  bool arm(std::uint32_t thread, Time at);
  /// `thread` stops waiting (it was signalled).
  void remove(std::uint32_t thread);
  bool contains(std::uint32_t thread) const;
  std::size_t size() const { return members_.size(); }
  bool empty() const { return members_.empty(); }
  /// The i-th waiter in an arbitrary but deterministic order (for the OS's random pick).
  std::uint32_t at(std::size_t i) const { return members_[i]; }

  /// The holder changed at `at` (switch_number incremented). Inline: once per hand-off, and
  /// in the common case (no late waiter) a few stores.
  void on_switch(Time at) {
    due_known_ = false;
    if (late_head_ < late_.size()) place_late_waiters();
    last_switch_ = at;
    switch_phase_ = at.ns() % interval_.ns();  // a remainder's sign is the time's
    if (switch_phase_ < 0) switch_phase_ += interval_.ns();
    switch_seq_ = next_arm_seq_;
  }

  struct Due {
    Time at;
    std::uint32_t thread = 0;
  };
  /// When the first waiter completes a full interval with no switch, and which one.
  /// Remembered until the switch changes or that waiter leaves (an arrival only compares
  /// itself with it).
  std::optional<Due> next_drop_request() {
    const Due* due = next_due();
    return due != nullptr ? std::optional<Due>(*due) : std::nullopt;
  }
  /// next_drop_request() as the engine asks it, after every event that changed the GIL: the
  /// answer where the queue keeps it, or null with no waiter to set a request (no optional
  /// copied out through memory, once a hand-off).
  const Due* next_due() {
    if (!due_known_) find_drop_request();
    return has_due_ ? &due_ : nullptr;
  }

 private:
  enum class Place : std::uint8_t { Away, Bucket, Late };
  struct Waiter {
    Time armed;
    std::int32_t index = -1;   ///< position in members_, -1 when not waiting
    std::uint16_t bucket = 0;  ///< its bucket, while in one (kept so leaving needs no division)
    Place place = Place::Away;
    /// Orders the waiters armed since the last switch (arm_seq >= switch_seq_), for ties.
    std::uint64_t arm_seq = 0;
  };
  static_assert(sizeof(Waiter) == 24);
  /// A bucket's entry, sorted by phase.
  struct Entry {
    std::int64_t phase = 0;
    std::uint32_t thread = 0;
  };
  static_assert(sizeof(Entry) == 16);
  /// Over one interval. Fewer and wider buckets make the lookup's pass over the bitmap's words
  /// shorter (busy.toml: a few waiters over a 1 ms interval, 16 words where 4,096 buckets
  /// made 62) at the price of more entries a bucket to insert among (the headline's 1,000 waiters
  /// over 5 ms: 611 buckets of 8 us, fewer instructions either way).
  static constexpr std::size_t kMaxBuckets = 1024;
  static_assert(kMaxBuckets <= 65536, "Waiter::bucket holds a bucket's index");
  /// Looks the answer of next_due() up and keeps it (due_, has_due_, due_known_).
  void find_drop_request();
  /// At a switch: the late waiters go into the buckets (their grid points found by phase now).
  void place_late_waiters();

  std::size_t bucket_of(std::int64_t phase) const { return static_cast<std::size_t>(phase >> bucket_shift_); }
  /// The first bucket in use at or after `b`, or buckets_count_.
  std::size_t next_bucket(std::size_t b) const;
  /// `w` is waiters_[thread], passed by callers that hold it (nothing in the insertion
  /// resizes waiters_).
  void phase_insert(std::uint32_t thread, std::int64_t phase, Waiter& w);
  void phase_erase(std::uint32_t thread);
  /// The waiter the lookup from the switch's phase names: the first phase at or after it
  /// (wrapping round to the first of all), and of its waiters the one G2's ties name; only
  /// while some waiter is in the buckets.
  const Entry& first_due_in_buckets() const;

  Time interval_;
  int bucket_shift_ = 0;  ///< a phase's bucket is phase >> bucket_shift_
  std::size_t buckets_count_ = 1;
  Time last_switch_ = Time{-1};
  std::int64_t switch_phase_ = 0;  ///< last_switch_ mod interval_
  std::uint64_t next_arm_seq_ = 1;
  std::uint64_t switch_seq_ = 1;  ///< next_arm_seq_ at the last switch
  std::vector<std::uint32_t> members_;
  std::vector<Waiter> waiters_;  ///< indexed by thread id
  std::size_t in_buckets_ = 0;
  std::vector<std::vector<Entry>> buckets_;  ///< buckets_count_ of them once a waiter arrived
  std::vector<std::uint64_t> in_use_;        ///< a bit per bucket: it has an entry
  /// Waiters armed an interval or more after the last switch, in arm order (entries may be stale).
  std::vector<std::pair<std::uint32_t, Time>> late_;
  std::size_t late_head_ = 0;
  Due due_;  ///< next_due(), while due_known_ and has_due_
  bool has_due_ = false;  ///< a waiter will set a request (due_ says when), while due_known_
  bool due_known_ = false;
};

// Inline: the engine arms a waiter and the OS's pick removes one once each a hand-off, and
// their calls saved and restored registers for a few loads and stores.

[[gnu::always_inline]] inline bool GilWaitQueue::arm(std::uint32_t thread, Time at) {
  if (thread >= waiters_.size()) waiters_.resize(thread + 1);
  if (waiters_[thread].index >= 0) remove(thread);
  // The remembered answer stays right: a tie goes to the waiters already there (G2), so the
  // new waiter is the first due only if strictly earlier.
  bool due_changed = !due_known_;
  if (due_known_ && (!has_due_ || at + interval_ < due_.at)) {
    due_ = Due{at + interval_, thread};
    has_due_ = true;
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
    phase_insert(thread, phase, w);
  } else {
    w.place = Place::Late;
    late_.emplace_back(thread, at);
  }
  return due_changed;
}

[[gnu::always_inline]] inline void GilWaitQueue::remove(std::uint32_t thread) {
  assert(contains(thread) && "remove() of a thread that is not waiting");
  // The first due is the least of all waiters in one order (time, then the ties of G2):
  // taking away another waiter leaves it the least.
  if (has_due_ && due_.thread == thread) due_known_ = false;
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

[[gnu::always_inline]] inline void GilWaitQueue::phase_insert(std::uint32_t thread, std::int64_t phase, Waiter& w) {
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
  Entry* const begin = bucket.data();
  Entry* i = begin + bucket.size() - 1;  // by pointer: no size() recomputed per step
  for (; i != begin && phase < i[-1].phase; --i) *i = i[-1];
  *i = e;
  in_use_[b / 64] |= std::uint64_t{1} << (b % 64);
  w.bucket = static_cast<std::uint16_t>(b);
  w.place = Place::Bucket;
  ++in_buckets_;
}

[[gnu::always_inline]] inline void GilWaitQueue::phase_erase(std::uint32_t thread) {
  Waiter& w = waiters_[thread];
  const std::size_t b = w.bucket;
  auto& bucket = buckets_[b];
  Entry* i = bucket.data();
  Entry* const last = i + bucket.size() - 1;  // by pointer: no size() recomputed per step
  const bool emptied = last == i;
  while (i->thread != thread) {
    ++i;
    assert(i <= last && "a waiter missing from its bucket");
  }
  for (; i != last; ++i) *i = i[1];
  bucket.pop_back();
  if (emptied) in_use_[b / 64] &= ~(std::uint64_t{1} << (b % 64));
  --in_buckets_;
}

}  // namespace gilsim::model

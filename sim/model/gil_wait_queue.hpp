// The new GIL's timed waiters (docs/model.md G2), and when the next drop request falls due.
//
// CPython wakes every waiter once per switch interval; a waiter sets the drop request only
// when a whole interval of its own wait passed with no switch. Each waiter's timeouts lie on
// a grid (its arm time + k * interval), so the first request after a switch at s comes from
// the waiter whose grid point is the first at or after s: a lookup by phase, a short scan
// per hand-off instead of O(waiters) per interval.
//
// The waiters armed at or before the last switch are kept by phase (armed mod interval) in
// fixed buckets over the interval, each a short array of (phase, thread) sorted by phase,
// then id (ties go to the lowest id), with a bitmap of the buckets in use: the first waiter
// at or after a phase is its bucket's next entry or the first entry of the next bucket in
// use (a word scan of the bitmap). No pointer chasing, and nothing is allocated once every
// bucket has grown to its size.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "sim/trace/time.hpp"

namespace gilsim::model {

class GilWaitQueue {
 public:
  explicit GilWaitQueue(Time interval);

  /// `thread` starts (or restarts, after losing a race) a timed wait at `at`.
  void arm(std::uint32_t thread, Time at);
  /// `thread` stops waiting (it was signalled).
  void remove(std::uint32_t thread);
  bool contains(std::uint32_t thread) const;
  std::size_t size() const { return members_.size(); }
  bool empty() const { return members_.empty(); }
  /// The i-th waiter in an arbitrary but deterministic order (for the OS's random pick).
  std::uint32_t at(std::size_t i) const { return members_[i]; }

  /// The holder changed at `at` (switch_number incremented).
  void on_switch(Time at);

  struct Due {
    Time at;
    std::uint32_t thread = 0;
  };
  /// When the first waiter completes a full interval with no switch, and which one.
  /// Remembered until the switch changes or that waiter leaves (an arrival only compares
  /// itself with it): the engine asks after every event that changed the GIL.
  std::optional<Due> next_drop_request() {
    if (!due_known_) {
      due_ = find_drop_request();
      due_known_ = true;
    }
    return due_;
  }

 private:
  struct Waiter {
    Time armed;
    std::int32_t index = -1;  ///< position in members_, -1 when not waiting
    std::uint16_t bucket = 0;  ///< its bucket, while phased (kept so leaving needs no division)
    bool phased = false;      ///< in the buckets (armed at or before the last switch)
  };
  static_assert(sizeof(Waiter) == 16);
  /// A bucket's entry: a waiter armed before the last switch, by phase then id.
  struct Entry {
    std::int64_t phase = 0;
    std::uint32_t thread = 0;
    bool operator<(const Entry& o) const { return phase < o.phase || (phase == o.phase && thread < o.thread); }
  };
  static constexpr std::size_t kBuckets = 4096;  ///< over one interval; a multiple of 64 (the bitmap's words)
  static_assert(kBuckets <= 65536, "Waiter::bucket holds a bucket's index");
  std::optional<Due> find_drop_request();

  std::int64_t phase_of(Time armed) const { return (armed % interval_).ns(); }
  std::size_t bucket_of(std::int64_t phase) const { return static_cast<std::size_t>(phase / bucket_width_); }
  /// The first bucket in use at or after `b`, or kBuckets.
  std::size_t next_bucket(std::size_t b) const;
  void phase_insert(std::uint32_t thread, std::int64_t phase);
  void phase_erase(std::uint32_t thread);
  /// The first entry at or after `phase`, wrapping round to the first of all; only while
  /// some waiter is phased.
  const Entry& phase_lower_bound(std::int64_t phase) const;

  Time interval_;
  std::int64_t bucket_width_ = 1;  ///< ns of phase per bucket
  Time last_switch_ = Time{-1};
  std::vector<std::uint32_t> members_;
  std::vector<Waiter> waiters_;  ///< indexed by thread id
  std::size_t phased_ = 0;       ///< waiters in the buckets
  std::vector<std::vector<Entry>> buckets_;  ///< kBuckets of them once a waiter was phased
  std::vector<std::uint64_t> in_use_;        ///< a bit per bucket: it has an entry
  /// Waiters armed after the last switch, in arm order (entries may be stale).
  std::vector<std::pair<std::uint32_t, Time>> since_switch_;
  std::size_t since_switch_head_ = 0;
  std::optional<Due> due_;  ///< next_drop_request(), while due_known_
  bool due_known_ = false;
};

}  // namespace gilsim::model

// The new GIL's timed waiters (docs/model.md G2), and when the next drop request falls due.
//
// CPython wakes every waiter once per switch interval; a waiter sets the drop request only
// when a whole interval of its own wait passed with no switch. Each waiter's timeouts lie on
// a grid (its arm time + k * interval), so the first request after a switch at s comes from
// the waiter whose grid point is the first at or after s: a lookup by phase, O(log waiters)
// per hand-off instead of O(waiters) per interval.
//
// Phases cluster on a few values (a thread forced out by a drop request re-arms on its
// requester's grid point, so it joins its phase), so waiters are grouped by exact phase,
// each group holding its threads in a min-heap of ids (ties go to the lowest id). The
// groups are found by phase through fixed buckets over the interval, each a short sorted
// array of (phase, group), and a bitmap of the buckets in use: the first group at or after
// a phase is its bucket's next entry or the first entry of the next bucket in use (a word
// scan of the bitmap), with no pointer chasing; nothing is allocated once every thread and
// phase has been seen.
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
  static constexpr std::uint32_t kNil = 0xFFFF'FFFF;
  struct Waiter {
    Time armed;
    std::int32_t index = -1;       ///< position in members_, -1 when not waiting
    std::uint32_t group = kNil;    ///< its phase group, kNil while not in one
    std::uint32_t heap_pos = 0;    ///< its place in its group's heap
  };
  /// The waiters armed at or before the last switch with one phase (armed mod interval).
  struct Group {
    std::int64_t phase = 0;
    std::vector<std::uint32_t> heap;  ///< its threads, a min-heap by id
  };
  /// A bucket's entry: a group and its phase, sorted by phase within the bucket.
  struct Entry {
    std::int64_t phase = 0;
    std::uint32_t group = kNil;
  };
  static constexpr std::size_t kBuckets = 4096;  ///< over one interval; a multiple of 64 (the bitmap's words)
  Waiter& slot(std::uint32_t thread);
  std::optional<Due> find_drop_request();

  // The phase groups, by bucket (phase / bucket_width_).
  std::size_t bucket_of(std::int64_t phase) const { return static_cast<std::size_t>(phase / bucket_width_); }
  /// The first bucket in use at or after `b`, or kBuckets.
  std::size_t next_bucket(std::size_t b) const;
  void phase_insert(std::uint32_t thread, std::int64_t phase);
  void phase_erase(std::uint32_t thread);
  /// The group of exactly `phase`, made (and placed in its bucket) when there is none.
  std::uint32_t group_for(std::int64_t phase);
  /// The first group with a phase at or after `phase`, or kNil.
  std::uint32_t phase_lower_bound(std::int64_t phase) const;
  std::uint32_t phase_first() const;
  void heap_place(Group& g, std::size_t i, std::uint32_t thread);
  void heap_sift_up(Group& g, std::size_t i);
  void heap_sift_down(Group& g, std::size_t i);

  Time interval_;
  std::int64_t bucket_width_ = 1;  ///< ns of phase per bucket
  Time last_switch_ = Time{-1};
  std::vector<std::uint32_t> members_;
  std::vector<Waiter> waiters_;  ///< indexed by thread id
  std::vector<Group> groups_;    ///< by index; empty ones are on free_groups_
  std::vector<std::uint32_t> free_groups_;
  /// The phase groups of the waiters armed at or before the last switch.
  std::vector<std::vector<Entry>> buckets_;  ///< kBuckets of them once a phase group was made
  std::vector<std::uint64_t> in_use_;  ///< a bit per bucket: it has an entry
  /// Waiters armed after the last switch, in arm order (entries may be stale).
  std::vector<std::pair<std::uint32_t, Time>> since_switch_;
  std::size_t since_switch_head_ = 0;
  std::optional<Due> due_;  ///< next_drop_request(), while due_known_
  bool due_known_ = false;
};

}  // namespace gilsim::model

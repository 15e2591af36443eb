// The new GIL's timed waiters (docs/model.md G2), and when the next drop request falls due.
//
// CPython wakes every waiter once per switch interval; a waiter sets the drop request only
// when a whole interval of its own wait passed with no switch. Each waiter's timeouts lie on
// a grid (its arm time + k * interval), so the first request after a switch at s comes from
// the waiter whose grid point is the first at or after s: a lookup by phase, O(log waiters)
// per hand-off instead of O(waiters) per interval.
//
// Phases cluster on a few values (a thread forced out by a drop request re-arms on its
// requester's grid point, so it joins its phase), so waiters are grouped by exact phase: a
// small treap of phase groups, each holding its threads in a min-heap of ids (ties go to
// the lowest id). A hand-off touches a shallow treap and one flat array of ids, not a chain
// of per-thread records; nothing is allocated once every thread and phase has been seen.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "sim/trace/time.hpp"

namespace gilsim::model {

class GilWaitQueue {
 public:
  explicit GilWaitQueue(Time interval) : interval_(interval) {}

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
    std::uint32_t left = kNil;  ///< treap children (group indices), ordered by phase
    std::uint32_t right = kNil;
    std::vector<std::uint32_t> heap;  ///< its threads, a min-heap by id
  };
  Waiter& slot(std::uint32_t thread);
  std::optional<Due> find_drop_request();

  // The phase groups: a treap ordered by phase, heap-ordered by a hash of the group index.
  static std::uint32_t priority(std::uint32_t g) { return (g + 1) * 0x9E37'79B1u; }
  void split(std::uint32_t node, std::int64_t phase, std::uint32_t& below, std::uint32_t& rest);
  std::uint32_t merge(std::uint32_t a, std::uint32_t b);
  void phase_insert(std::uint32_t thread, std::int64_t phase);
  void phase_erase(std::uint32_t thread);
  /// The group of exactly `phase`, made (and linked into the treap) when there is none.
  std::uint32_t group_for(std::int64_t phase);
  /// The first group with a phase at or after `phase`, or kNil.
  std::uint32_t phase_lower_bound(std::int64_t phase) const;
  std::uint32_t phase_first() const;
  void heap_place(Group& g, std::size_t i, std::uint32_t thread);
  void heap_sift_up(Group& g, std::size_t i);
  void heap_sift_down(Group& g, std::size_t i);

  Time interval_;
  Time last_switch_ = Time{-1};
  std::vector<std::uint32_t> members_;
  std::vector<Waiter> waiters_;  ///< indexed by thread id
  std::vector<Group> groups_;    ///< by index; empty ones are on free_groups_
  std::vector<std::uint32_t> free_groups_;
  /// Root of the treap of phase groups (waiters armed at or before the last switch).
  std::uint32_t phase_root_ = kNil;
  /// Waiters armed after the last switch, in arm order (entries may be stale).
  std::vector<std::pair<std::uint32_t, Time>> since_switch_;
  std::size_t since_switch_head_ = 0;
  std::optional<Due> due_;  ///< next_drop_request(), while due_known_
  bool due_known_ = false;
};

}  // namespace gilsim::model

// The new GIL's timed waiters (docs/model.md G2), and when the next drop request falls due.
//
// CPython wakes every waiter once per switch interval; a waiter sets the drop request only
// when a whole interval of its own wait passed with no switch. Each waiter's timeouts lie on
// a grid (its arm time + k * interval), so the first request after a switch at s comes from
// the waiter whose grid point is the first at or after s: a lookup by phase, O(log waiters)
// per hand-off instead of O(waiters) per interval. The phase lookup is a treap threaded
// through the per-thread records (children are thread ids), so nothing is allocated once every
// thread has waited once.
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
  std::optional<Due> next_drop_request();

 private:
  static constexpr std::uint32_t kNil = 0xFFFF'FFFF;
  struct Waiter {
    Time armed;
    std::int64_t phase = 0;   ///< armed mod interval, while in the phase group
    std::int32_t index = -1;  ///< position in members_, -1 when not waiting
    bool in_phase_group = false;
    std::uint32_t left = kNil;   ///< phase-group treap children (thread ids)
    std::uint32_t right = kNil;
  };
  Waiter& slot(std::uint32_t thread);

  // The phase group: a treap ordered by (phase, thread), heap-ordered by a hash of the thread.
  using Key = std::pair<std::int64_t, std::uint32_t>;
  Key key(std::uint32_t t) const { return {waiters_[t].phase, t}; }
  static std::uint32_t priority(std::uint32_t t) { return (t + 1) * 0x9E37'79B1u; }
  void split(std::uint32_t node, Key k, std::uint32_t& below, std::uint32_t& rest);
  std::uint32_t merge(std::uint32_t a, std::uint32_t b);
  void phase_insert(std::uint32_t thread);
  void phase_erase(std::uint32_t thread);
  /// The first member at or after `k`, or kNil.
  std::uint32_t phase_lower_bound(Key k) const;
  std::uint32_t phase_first() const;

  Time interval_;
  Time last_switch_ = Time{-1};
  std::vector<std::uint32_t> members_;
  std::vector<Waiter> waiters_;  ///< indexed by thread id
  /// Root of the treap of waiters armed at or before the last switch.
  std::uint32_t phase_root_ = kNil;
  /// Waiters armed after the last switch, in arm order (entries may be stale).
  std::vector<std::pair<std::uint32_t, Time>> since_switch_;
  std::size_t since_switch_head_ = 0;
};

}  // namespace gilsim::model

// The new GIL's timed waiters (docs/model.md G2), and when the next drop request falls due.
//
// CPython wakes every waiter once per switch interval; a waiter sets the drop request only
// when a whole interval of its own wait passed with no switch. Each waiter's timeouts lie on
// a grid (its arm time + k * interval), so the first request after a switch at s comes from
// the waiter whose grid point is the first at or after s: a lookup by phase, O(log waiters)
// per hand-off instead of O(waiters) per interval.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
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
  struct Waiter {
    Time armed;
    std::int32_t index = -1;  ///< position in members_, -1 when not waiting
    bool in_phase_group = false;
  };
  Waiter& slot(std::uint32_t thread);

  Time interval_;
  Time last_switch_ = Time{-1};
  std::vector<std::uint32_t> members_;
  std::vector<Waiter> waiters_;  ///< indexed by thread id
  /// Waiters armed at or before the last switch, keyed by (arm time mod interval).
  std::set<std::pair<std::int64_t, std::uint32_t>> phase_group_;
  /// Waiters armed after the last switch, in arm order (entries may be stale).
  std::vector<std::pair<std::uint32_t, Time>> since_switch_;
  std::size_t since_switch_head_ = 0;
};

}  // namespace gilsim::model

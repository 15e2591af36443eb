// Per pixel column, how many lanes of a group are in each state, averaged over the
// column's time: what an aggregate row (10,000 tasks, 16 workers) and a counter strip
// (busy cores) draw. A span costs O(1) however many columns it covers; a lane set indexed
// as StateCounts costs nothing per span.
#pragma once

#include <array>
#include <span>
#include <string>
#include <vector>

#include "sim/trace/trace.hpp"
#include "viz/state_counts.hpp"
#include "viz/time_view.hpp"

namespace gilsim::viz {

class LaneDensity {
 public:
  /// Clears the tally for `columns` pixel columns of `view`.
  void reset(const TimeView& view, int columns);
  /// Adds one lane's spans (each counts 1, or its `subject` when `weight_by_subject`).
  void add(const trace::SpanStore& spans, bool weight_by_subject = false);
  /// Adds the lanes `counts` was made from: what adding their spans one by one gives, to
  /// float rounding, from a search per column edge and state, however many spans are in view.
  void add(const StateCounts& counts);
  /// Call once after the last add: turns the running edges into per-column values.
  void finish();

  int columns() const { return columns_; }
  /// Lanes in `state` in column `c`, averaged over the column's time (0 to lanes added).
  float at(int c, trace::SpanState state) const {
    return values_[static_cast<std::size_t>(c) * trace::kSpanStateCount + static_cast<std::size_t>(state)];
  }
  /// Lanes in any state in column `c`.
  float total(int c) const;

 private:
  TimeView view_;
  int columns_ = 0;
  std::vector<float> values_;  ///< column-major: [c * states + state]
  std::vector<float> edges_;   ///< +w where whole columns start being covered, -w where they stop
};

/// What a folded group's row stands for at time `t`, for its tooltip: how many of
/// `members` are in each state, in legend order, and how many have nothing to do ("at
/// 1.20 s: 2 running Python, 6 waiting for GIL; 1 idle").
std::string group_breakdown(const trace::Trace& trace, std::span<const trace::LaneId> members, Time t);

}  // namespace gilsim::viz

// What is under the mouse: the span of a lane at a time (with a few pixels of slack when
// zoomed out) and the mark nearest to a point. Binary searches, no scans.
#pragma once

#include <functional>
#include <optional>

#include "sim/trace/trace.hpp"
#include "viz/time_view.hpp"

namespace gilsim::viz {

/// Index of the span of `spans` containing `t`, if any.
std::optional<std::size_t> span_at(const trace::SpanStore& spans, Time t);

/// The span under pixel `x`, or else the nearest one within `slack_px`.
std::optional<std::size_t> span_near(const trace::SpanStore& spans, const TimeView& view, double x,
                                     double slack_px);

/// Index in trace.marks of the mark of `lane` nearest to pixel `x`, within `slack_px`.
std::optional<std::size_t> mark_near(const trace::Trace& trace, trace::LaneId lane, const TimeView& view,
                                     double x, double slack_px);

/// The same, over the marks `accept` takes (any lane): a folded group's lost updates.
std::optional<std::size_t> mark_near(const trace::Trace& trace, const std::function<bool(const trace::Mark&)>& accept,
                                     const TimeView& view, double x, double slack_px);

}  // namespace gilsim::viz

// Chart axes for sweeps, shared by the text chart and the viewer: where each value of the
// first key sits along x, and a round top for the speed-up axis.
#pragma once

#include <cstddef>
#include <vector>

namespace gilsim::sweep {

/// Each of `count` values' place along x, from 0 to 1: at its position (on a log scale when
/// `log_scale` and every position is above 0) or, without positions, evenly spaced.
std::vector<double> axis_fractions(const std::vector<double>& positions, bool log_scale, std::size_t count);

/// The indexes of those values from left to right along x (axis_fractions), values at one
/// place in their given order: the order a chart draws its lines and places its labels in.
/// A sweep may be given its values descending or in any order (workers=16..1, or 4,1,16,2,
/// whose line from 1 to 16 passed 3.55x at 4 when drawn in the given order).
std::vector<std::size_t> axis_order(const std::vector<double>& positions, bool log_scale, std::size_t count);

/// The top of a y axis from 0 that shows `highest`: four equal steps of 1, 2, 2.5 or 5
/// times a power of ten (1.0 for 0.9, 4.0 for 3.6, 8.0 for 6.3).
double axis_top(double highest);

/// The top of a plot's y axis from 0 that shows `highest` with a little room above it: the
/// smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten at least 2% above it
/// (1.2 for 1.0, 5.0 for 4.4, 8.0 for 6.4), which a plot cuts into as many round steps as its
/// height has room for. axis_top's four steps waste up to half the height: 8.0x for a 4.4x peak.
double plot_top(double highest);

/// The next such top above `top` (1.5 after 1.2, 10 after 8): for a plot too short to cut
/// `top` into round steps.
double next_plot_top(double top);

}  // namespace gilsim::sweep

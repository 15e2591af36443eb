// The sweep charts' axes.
#include "sim/sweep/sweep_axis.hpp"

#include <algorithm>
#include <cmath>

namespace gilsim::sweep {

std::vector<double> axis_fractions(const std::vector<double>& positions, bool log_scale, std::size_t count) {
  std::vector<double> at(count);
  for (std::size_t i = 0; i < count; ++i) at[i] = static_cast<double>(i);
  if (positions.size() == count && count > 0) {
    at = positions;
    if (log_scale && *std::min_element(at.begin(), at.end()) > 0.0) {
      for (double& v : at) v = std::log(v);
    }
  }
  if (count == 0) return at;
  const double low = *std::min_element(at.begin(), at.end());
  const double high = *std::max_element(at.begin(), at.end());
  for (double& v : at) v = high > low ? (v - low) / (high - low) : 0.0;
  return at;
}

std::vector<std::size_t> axis_order(const std::vector<double>& positions, bool log_scale, std::size_t count) {
  const std::vector<double> at = axis_fractions(positions, log_scale, count);
  std::vector<std::size_t> order(count);
  for (std::size_t i = 0; i < count; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return at[a] < at[b]; });
  return order;
}

double axis_top(double highest) {
  if (!(highest > 0.0)) return 1.0;
  const double quarter = highest / 4.0;
  const double power = std::pow(10.0, std::floor(std::log10(quarter)));
  for (const double step : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (step * power >= quarter * (1.0 - 1e-12)) return 4.0 * step * power;
  }
  return 40.0 * power;
}

namespace {

/// The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten at least `wanted`.
double round_at_least(double wanted) {
  const double power = std::pow(10.0, std::floor(std::log10(wanted)));
  for (const double step : {1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0}) {
    if (step * power >= wanted * (1.0 - 1e-12)) return step * power;
  }
  return 10.0 * power;
}

}  // namespace

double plot_top(double highest) { return highest > 0.0 ? round_at_least(highest * 1.02) : 1.0; }

double next_plot_top(double top) { return round_at_least(top * (1.0 + 1e-9)); }

}  // namespace gilsim::sweep

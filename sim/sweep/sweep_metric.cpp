// The sweep charts' metrics (sweep_metric.hpp).
#include "sim/sweep/sweep_metric.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "sim/sweep/sweep_axis.hpp"
#include "sim/trace/metrics.hpp"
#include "sim/trace/outcomes.hpp"
#include "sim/trace/time.hpp"

namespace gilsim::sweep {

namespace {

/// Each metric's option word and the y axis's title, in one place.
struct MetricWords {
  Metric metric;
  std::string_view option;
  std::string_view title;
};
constexpr std::array kMetricWords{MetricWords{Metric::Speedup, "speedup", "speed-up"},
                                  MetricWords{Metric::GilWait, "gil-wait", "GIL wait"},
                                  MetricWords{Metric::LostUpdates, "lost-updates", "lost updates"}};

const MetricWords& words_of(Metric m) {
  return *std::find_if(kMetricWords.begin(), kMetricWords.end(), [m](const MetricWords& w) { return w.metric == m; });
}

}  // namespace

std::string_view metric_name(Metric m) { return words_of(m).option; }

std::optional<Metric> parse_metric(std::string_view text) {
  for (const MetricWords& w : kMetricWords) {
    if (w.option == text) return w.metric;
  }
  return std::nullopt;
}

std::string metric_axis_title(Metric m) { return std::string(words_of(m).title); }

Spread metric_of(const PointSummary& s, Metric m) {
  if (m == Metric::LostUpdates) return s.has_counters ? s.lost_updates : Spread{std::nan(""), std::nan("")};
  // A run with no GIL waits for none: 0, a line along the axis, not a point it never reached.
  if (m == Metric::GilWait) return s.has_gil ? s.gil_wait_ns : Spread{};
  return s.speedup;
}

double metric_axis_top(Metric m, double highest) {
  // The GIL wait in nanoseconds: at least a millisecond at the top, where every run waited
  // nothing (no GIL, or one thread), rather than ticks of "1 ns".
  return axis_top(m == Metric::GilWait ? std::max(highest, 1e6) : highest);
}

double metric_plot_top(Metric m, double highest) {
  return plot_top(m == Metric::GilWait ? std::max(highest, 1e6) : highest);
}

std::string metric_tick(Metric m, double value, double top) {
  if (m == Metric::LostUpdates) {
    // Whole updates; a top under 4 has quarter steps, which are written as they are.
    if (top < 4.0) return fmt::format("{:g}", value);
    return trace::group_digits(std::llround(value));
  }
  if (m == Metric::GilWait) return format_time(Time{std::llround(value)});
  return fmt::format("{:.{}f}x", value, top < 2.0 ? 2 : 1);
}

std::string metric_value_text(Metric m, double value) {
  switch (m) {
    case Metric::LostUpdates: return trace::group_digits(std::llround(value));
    case Metric::GilWait: return format_time(Time{std::llround(value)});
    case Metric::Speedup: break;
  }
  return trace::format_speedup(value);  // "0.0058x", as the tables write it
}

void check_metric(Metric m, const scenario::Scenario& s, std::string_view option) {
  if (m == Metric::LostUpdates && s.counters.empty()) {
    throw SweepRefused(fmt::format("{} lost-updates: '{}' has no [counters], so nothing can be lost; expected a "
                                   "scenario with shared counters, such as 15-lost-update",
                                   option, s.title));
  }
}

}  // namespace gilsim::sweep

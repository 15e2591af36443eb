// The sweep charts' metrics (sweep_metric.hpp).
#include "sim/sweep/sweep_metric.hpp"

#include <cmath>

#include <fmt/format.h>

#include "sim/trace/outcomes.hpp"

namespace gilsim::sweep {

std::string_view metric_name(Metric m) { return m == Metric::LostUpdates ? "lost-updates" : "speedup"; }

std::optional<Metric> parse_metric(std::string_view text) {
  if (text == "speedup") return Metric::Speedup;
  if (text == "lost-updates") return Metric::LostUpdates;
  return std::nullopt;
}

std::string metric_axis_title(Metric m) { return m == Metric::LostUpdates ? "lost updates" : "speed-up"; }

Spread metric_of(const PointSummary& s, Metric m) {
  if (m == Metric::LostUpdates) return s.has_counters ? s.lost_updates : Spread{std::nan(""), std::nan("")};
  return s.speedup;
}

std::string metric_tick(Metric m, double value, double top) {
  if (m == Metric::LostUpdates) {
    // Whole updates; a top under 4 has quarter steps, which are written as they are.
    if (top < 4.0) return fmt::format("{:g}", value);
    return trace::group_digits(std::llround(value));
  }
  return fmt::format("{:.{}f}x", value, top < 2.0 ? 2 : 1);
}

void check_metric(Metric m, const scenario::Scenario& s, std::string_view option) {
  if (m == Metric::LostUpdates && s.counters.empty()) {
    throw SweepRefused(fmt::format("{} lost-updates: '{}' has no [counters], so nothing can be lost; expected a "
                                   "scenario with shared counters, such as 15-lost-update",
                                   option, s.title));
  }
}

}  // namespace gilsim::sweep

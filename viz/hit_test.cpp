// Hit testing by binary search over sorted spans and marks.
#include "viz/hit_test.hpp"

#include <algorithm>
#include <cmath>

#include "viz/level_of_detail.hpp"

namespace gilsim::viz {

std::optional<std::size_t> span_at(const trace::SpanStore& spans, Time t) {
  const std::size_t i = first_span_ending_after(spans, t);
  if (i < spans.size() && spans[i].begin <= t) return i;
  return std::nullopt;
}

std::optional<std::size_t> span_near(const trace::SpanStore& spans, const TimeView& view, double x,
                                     double slack_px) {
  const Time t = view.time_at(x);
  if (auto hit = span_at(spans, t)) return hit;
  const std::size_t after = first_span_ending_after(spans, t);  // first span starting after t
  double best = slack_px;
  std::optional<std::size_t> found;
  if (after < spans.size()) {
    const double d = view.x_of(spans[after].begin) - x;
    if (d <= best) best = d, found = after;
  }
  if (after > 0) {
    const double d = x - view.x_of(spans[after - 1].end);
    if (d <= best) found = after - 1;
  }
  return found;
}

std::optional<std::size_t> mark_near(const trace::Trace& trace, trace::LaneId lane, const TimeView& view,
                                     double x, double slack_px) {
  return mark_near(trace, [lane](const trace::Mark& m) { return m.lane == lane; }, view, x, slack_px);
}

std::optional<std::size_t> mark_near(const trace::Trace& trace, const std::function<bool(const trace::Mark&)>& accept,
                                     const TimeView& view, double x, double slack_px) {
  const Time lo = view.time_at(x - slack_px);
  const Time hi = view.time_at(x + slack_px);
  auto it = std::lower_bound(trace.marks.begin(), trace.marks.end(), lo,
                             [](const trace::Mark& m, Time v) { return m.at < v; });
  std::optional<std::size_t> found;
  double best = slack_px + 1;
  // Dense marks when zoomed far out: look at a bounded number, the frame must stay cheap.
  for (int looked = 0; it != trace.marks.end() && it->at <= hi && looked < 4096; ++it, ++looked) {
    if (!accept(*it)) continue;
    const double d = std::abs(view.x_of(it->at) - x);
    if (d < best) best = d, found = static_cast<std::size_t>(it - trace.marks.begin());
  }
  return found;
}

}  // namespace gilsim::viz

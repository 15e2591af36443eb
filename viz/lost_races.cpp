// Ticks and bands for the old GIL's lost races; see lost_races.hpp.
#include "viz/lost_races.hpp"

#include <algorithm>
#include <cmath>

#include "sim/trace/outcomes.hpp"
#include "viz/text_layout.hpp"

namespace gilsim::viz {

std::vector<std::vector<std::uint32_t>> races_lost_by_gil_lane(const trace::Trace& trace) {
  std::vector<std::vector<std::uint32_t>> out(trace.lanes.size());
  trace.marks.for_each([&](std::size_t i, const trace::Mark& m) { add_race_lost(trace, i, m, out); });  // in order: the kind read first
  return out;
}

// "races lost": "112,261 lost" on the GIL lane read as something hidden, or updates lost.
std::string lost_label(std::int64_t count) {
  return trace::group_digits(count) + (count == 1 ? " race lost" : " races lost");
}

std::int64_t LostRaces::in_view() const {
  std::int64_t n = static_cast<std::int64_t>(ticks.size());
  for (const LostRaceBand& b : bands) n += b.count;
  return n;
}

std::optional<BandLabel> band_label(const LostRaces& races) {
  if (races.bands.empty()) return std::nullopt;
  if (races.bands.size() == 1 && races.ticks.empty()) {
    return BandLabel{races.bands[0].x0, races.bands[0].x1, lost_label(races.bands[0].count)};
  }
  double x0 = races.bands.front().x0, x1 = races.bands.back().x1;
  for (const LostRaceBand& b : races.bands) x0 = std::min(x0, b.x0), x1 = std::max(x1, b.x1);
  for (const double x : races.ticks) x0 = std::min(x0, x), x1 = std::max(x1, x);
  return BandLabel{x0, x1, lost_label(races.in_view()) + " in view"};
}

std::optional<float> band_label_left(const BandLabel& label, float width, float lane_width,
                                     std::vector<std::pair<float, float>> covered) {
  const float x0 = static_cast<float>(label.x0), x1 = std::max(x0 + 1, static_cast<float>(label.x1));
  if (width > x1 - x0) return std::nullopt;  // the count shows where the comb is wide enough for it
  const float centred = (x0 + x1 - width) * 0.5f;
  constexpr float kGap = 4;
  if (const auto at = free_spot(std::max(0.0f, x0), std::min(lane_width, x1), covered, width, centred, kGap)) return at;
  return free_spot(0, lane_width, std::move(covered), width, centred, kGap);
}

void lost_races_in_view(const trace::Trace& trace, const std::vector<std::uint32_t>& marks, const TimeView& view,
                        double min_gap_px, LostRaces& out) {
  out.ticks.clear();
  out.bands.clear();
  const double width = view.width_px();
  for (std::uint32_t i : marks) {
    const trace::Mark& m = trace.marks[i];
    const std::int64_t count = m.other, period = m.value;
    if (count <= 0 || period <= 0) continue;
    const Time last = m.at + Time{period * (count - 1)};
    if (last < view.start() || m.at > view.end()) continue;
    if (view.x_of(m.at + Time{period}) - view.x_of(m.at) >= min_gap_px) {
      // Only the races inside the view: k from the first at or after its start to its end.
      const std::int64_t from = std::max<std::int64_t>(0, (view.start() - m.at).ns() / period);
      const std::int64_t to = std::min<std::int64_t>(count - 1, (view.end() - m.at).ns() / period);
      for (std::int64_t k = from; k <= to; ++k) {
        const double x = view.x_of(m.at + Time{period * k});
        if (x >= 0 && x <= width) out.ticks.push_back(x);
      }
      continue;
    }
    // A band covers the whole stretch; its count is every race of it inside the view.
    const std::int64_t ahead = (view.start() - m.at).ns();  // the first race at or after the view's start
    const std::int64_t from = ahead <= 0 ? 0 : (ahead + period - 1) / period;
    const std::int64_t to = std::min<std::int64_t>(count - 1, (view.end() - m.at).ns() / period);
    if (from > to) continue;
    const double x0 = std::clamp(view.x_of(m.at + Time{period * from}), 0.0, width);
    const double x1 = std::clamp(view.x_of(m.at + Time{period * to}), 0.0, width);
    if (!out.bands.empty() && x0 - out.bands.back().x1 < 1.0) {
      out.bands.back().x1 = std::max(out.bands.back().x1, x1);
      out.bands.back().count += to - from + 1;
    } else {
      out.bands.push_back(LostRaceBand{x0, x1, to - from + 1});
    }
  }
}

}  // namespace gilsim::viz

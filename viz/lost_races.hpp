// The old GIL's thrashing, drawn: each release of a holder with waiters woke one of them,
// which lost the race for the GIL and slept again (RacesLost marks, docs/model.md O3).
// Zoomed in, each lost race is a tick on the GIL lane; where they are closer than a few
// pixels, a stretch of them is one band that says how many it holds, never a silent drop.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/trace/trace.hpp"
#include "viz/time_view.hpp"

namespace gilsim::viz {

/// Per GIL lane of `trace` (other lanes empty): its process's RacesLost marks, in time order.
std::vector<std::vector<std::uint32_t>> races_lost_by_gil_lane(const trace::Trace& trace);
/// races_lost_by_gil_lane's part for mark `i` (`m`), the marks read in order into `out` (one
/// list per lane): for a reader of the marks that makes other indices in the same reading.
inline void add_race_lost(const trace::Trace& trace, std::size_t i, const trace::Mark& m,
                          std::vector<std::vector<std::uint32_t>>& out) {
  if (m.kind != trace::MarkKind::RacesLost || m.lane >= trace.lanes.size()) return;
  const trace::ProcessId p = trace.lanes[m.lane].process;
  if (p < trace.processes.size() && trace.processes[p].gil_lane < out.size()) {
    out[trace.processes[p].gil_lane].push_back(static_cast<std::uint32_t>(i));
  }
}

struct LostRaceBand {
  double x0 = 0, x1 = 0;    ///< pixels from the timeline's left edge, clipped to the view
  std::int64_t count = 0;   ///< lost races in it
};

/// A band's count as it shows on the band: "2,146 lost".
std::string lost_label(std::int64_t count);

struct LostRaces {
  std::vector<double> ticks;         ///< one lost race each, pixels from the left edge
  std::vector<LostRaceBand> bands;   ///< lost races too close to draw one by one
  std::int64_t in_view() const;      ///< every lost race the ticks and bands stand for
};

/// The one count written on a lane's combs, centred over the stretch it counts (pixels from
/// the left edge). One band and no tick: its count, "2,146 lost", over the band. Races in
/// several places: the view's total, "1,104 lost in view", over the stretch from the first
/// to the last, since a band's own count beside unlabelled ones read as the view's (lesson
/// 11 at 1/100: "70 lost" of some 1,100). None without a band.
struct BandLabel {
  double x0 = 0, x1 = 0;
  std::string text;
};
std::optional<BandLabel> band_label(const LostRaces& races);

/// Where `label`'s text, `width` wide, starts on a lane `lane_width` pixels wide over which
/// `covered` is drawn (pixels from its left edge: the waiters' chips and the GIL badge at the
/// playhead, the playhead's line): centred over the stretch it counts where that is clear, else
/// right of what covers the middle, else at the start of a clear part of the stretch, else of
/// the lane (free_spot's order). None where the stretch is narrower than the text or no clear
/// part of the lane holds it. Lesson 11 presented at 1280x720 at 560 ms: the chip "T1 76.8 us"
/// left of the playhead covered "112,261 rac", centred on the lane, and left "es lost".
std::optional<float> band_label_left(const BandLabel& label, float width, float lane_width,
                                     std::vector<std::pair<float, float>> covered);

/// The lost races of `marks` (from races_lost_by_gil_lane) visible in `view`: a mark whose
/// races are at least `min_gap_px` apart gives ticks, any other gives a band (bands less
/// than a pixel apart merge). Costs in proportion to the ticks on screen and the marks.
void lost_races_in_view(const trace::Trace& trace, const std::vector<std::uint32_t>& marks, const TimeView& view,
                        double min_gap_px, LostRaces& out);

}  // namespace gilsim::viz

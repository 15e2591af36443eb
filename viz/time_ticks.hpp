// Time-axis ticks: steps of 1, 2 or 5 times a power of ten, each labelled in the unit the
// text timeline and the rest of the viewer write that instant in ("0 s", "200 ms", "1.2 s").
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "viz/time_view.hpp"

namespace gilsim::viz {

struct Tick {
  Time at;
  double x = 0;
  bool labelled = true;  ///< every tick carries a label except the minor ones in between
  std::string label;
  std::optional<double> label_left;  ///< where the label starts (place_labels); none: not drawn
};

/// The smallest 1/2/5 x 10^k ns step whose ticks are at least `min_px` apart.
Time nice_step(double ns_per_px, double min_px);

/// `t` in format_time's unit for it (ns below 1 us, us below 1 ms, ms below 1 s, else s), as
/// the text timeline, the event list and the playhead write it, without trailing zeros:
/// "200 ms" (never "0.2 s"), "1.5 ms", "1.2 s".
std::string tick_label(Time t);

/// Labelled ticks at least `min_px` apart, plus unlabelled minor ticks in between
/// (five or two per step), covering the view.
std::vector<Tick> time_ticks(const TimeView& view, double min_px);

/// Places each label `gap` px right of its tick, or pulled left to end at the axis's right
/// edge (`width`), as the text timeline does; a label that would then touch the one before,
/// or start left of the axis, is left out rather than drawn over it or clipped.
void place_labels(std::vector<Tick>& ticks, double width, double gap,
                  const std::function<double(const std::string&)>& text_width);

}  // namespace gilsim::viz

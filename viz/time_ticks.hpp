// Time-axis ticks: steps of 1, 2 or 5 times a power of ten, labelled in the unit that
// suits the step ("0 ms", "5 ms", "10 ms"; "1.5 ms" when the step is a fraction of one).
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

/// `t` written in the unit that suits `step`, with one decimal when the step is a fraction of it.
std::string tick_label(Time t, Time step);

/// Labelled ticks at least `min_px` apart, plus unlabelled minor ticks in between
/// (five or two per step), covering the view.
std::vector<Tick> time_ticks(const TimeView& view, double min_px);

/// Places each label `gap` px right of its tick, or pulled left to end at the axis's right
/// edge (`width`), as the text timeline does; a label that would then touch the one before,
/// or start left of the axis, is left out rather than drawn over it or clipped.
void place_labels(std::vector<Tick>& ticks, double width, double gap,
                  const std::function<double(const std::string&)>& text_width);

}  // namespace gilsim::viz

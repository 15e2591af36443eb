// The sweep panel's chart, laid out in pixels without drawing anything: one line per run,
// error bars over seeds, small multiples when a second key varies, ticks, and hit testing.
// viz/ui/sweep_panel.cpp paints it with the ImGui draw list.
#pragma once

#include <functional>
#include <optional>
#include <string_view>
#include <string>
#include <utility>
#include <vector>

#include "sim/sweep/sweep_metric.hpp"
#include "sim/sweep/sweep_results.hpp"

namespace gilsim::viz {

/// One run at one grid point, placed: the mean at (x, y), mean ± deviation from y_low to y_high.
struct SweepMarker {
  float x = 0, y = 0, y_low = 0, y_high = 0;
  std::size_t point = 0;
  std::size_t run = 0;
  double value = 0, deviation = 0;  ///< the plan's metric (a speed-up, lost updates) over seeds
  /// False: the run did not finish at this point (a deadlock), so it has no speed-up: no
  /// line reaches it, and it is marked with an 'x' on the x axis (y is the plot's bottom).
  bool finished = true;
  std::string unfinished;  ///< why, when not finished: "deadlocked" (sweep::unfinished_text)
  /// The seeds disagree (sweep::Spread::seeds_disagree): the bar spans the seeds' lowest to
  /// highest value, not ± a deviation no seed shows, and the tooltip says the range.
  bool seeds_disagree = false;
  double low = 0, high = 0;
};

struct SweepTick {
  float at = 0;  ///< pixel x (x ticks) or y (y ticks)
  std::string label;  ///< x ticks: empty at a value whose label has no room (x_ticks_of)
  float label_at = 0;  ///< x ticks: the label's centre, moved in so the last label is not cut
  int row = 0;         ///< x ticks: the label's line under the plot, 0 or 1 (an end or a crossing with no room on the first)
};

/// A value written beside its point ("3.55x"), so a class reads the curve without hovering.
struct SweepValueLabel {
  float left = 0, top = 0, right = 0, bottom = 0;  ///< the text's box, inside the plot
  std::string text;
  std::size_t run = 0;   ///< whose point: the text is in its line's colour
  std::size_t index = 0;  ///< the point's place along x in its line
};

/// One small multiple: the first key along x, at one value of the other keys.
struct SweepPlot {
  float left = 0, top = 0, right = 0, bottom = 0;  ///< the plot area
  std::string title;                                ///< "cores=2"; empty when one key varies
  float title_left = 0, title_top = 0;              ///< where the title's text starts
  /// Small multiples: the plot's own highest point, said over it with where it is ("3.55x at
  /// workers = 4", or the value alone, "3.55x", where that has no room or the axis has one
  /// value), beside the title or on a line of its own under it in every plot alike; (run, index
  /// along x) of the point, which is ringed. Never the baseline's point (its speed-up is 1.00x
  /// by definition); none where the runs' values are all within 2% of each other, or where no
  /// words have room beside the title nor a line under it leaves the plot its height.
  std::string peak_text;
  float peak_left = 0, peak_top = 0;
  std::optional<std::pair<std::size_t, std::size_t>> peak;
  std::vector<std::vector<SweepMarker>> lines;      ///< per shown run, in x order
  std::vector<SweepTick> x_ticks, y_ticks;
  /// Each line's values at its highest point and at both ends, where each has room clear of
  /// the other values and of every point; the rest on hover.
  std::vector<SweepValueLabel> values;
  /// Pixel x of the value the timeline above shows (shown_position), where it lies within
  /// the axis: a class sees where the picture it looks at sits on the curve.
  std::optional<float> shown_x;
};

struct SweepChart {
  std::vector<SweepPlot> plots;
  std::string x_label;
  std::string y_label;      ///< the metric with its unit: "speed-up", "lost updates"
  double y_top = 1.0;       ///< the metric at the top of every plot (they share the axis)
  bool error_bars = false;  ///< several seeds
  /// The room given leaves a plot too short for its axis's labels (less than kMinPlotLines
  /// lines of text): no plot is laid out, and the panel asks for more room instead of
  /// drawing labels over each other, or a plot upside down.
  bool too_small = false;
  /// "shown above: 5.00 ms": the label of each plot's shown_x, as gilsim writes the value.
  std::string shown_text;
};

/// A plot's height, in lines of text, below which its y labels would overlap: three labels
/// (0, half, top) from kMinPlotLines, so that a projector's 1280x720 still draws a curve
/// (lesson 20 presenting). Taller, the y axis has as many round steps as have room for
/// their labels, up to eight (lesson 21 presented at 1280x720 had only 0, 4.0x and 8.0x).
inline constexpr float kMinPlotLines = 3.0f;

struct SweepChartSize {
  float left = 0, top = 0, width = 0, height = 0;
  float text_height = 13;  ///< of one line of text, for margins
  float char_width = 7;    ///< of one character, to thin out x labels
  /// A label's width in pixels, as drawn; empty: char_width a character.
  std::function<float(std::string_view)> text_width;
};

/// The x ticks of a plot: one at every value of `axis` (placed by `x_of`), labelled where the
/// label has room within the cell (`cell_left` to `cell_right`) clear of the others: the two
/// ends first, then the values at `crossings` (where two runs' curves cross), then the rest
/// from the left; an end or a crossing with no room goes on a second line (SweepTick::row) if
/// that has room. The text chart (`gilsim sweep`) labels every value; so does this where they fit.
std::vector<SweepTick> x_ticks_of(const sweep::Axis& axis, const std::function<float(std::size_t)>& x_of,
                                  float cell_left, float cell_right, const SweepChartSize& size,
                                  const std::vector<std::size_t>& crossings);

/// How many steps the y axis from 0 to `top` is cut into, for a plot `height` pixels tall with
/// lines of text `text_height` tall: the most, up to eight, whose step is round (1, 2, 2.5 or 5
/// times a power of ten, written exactly as `metric` writes ticks) and whose labels are at least
/// 1.1 lines apart; two at least.
int y_steps(sweep::Metric metric, double top, float height, float text_height);
/// Whether `n` steps cut `top` into round ones, written exactly as `metric` writes ticks.
bool round_steps(sweep::Metric metric, double top, int n);

/// At most this many small multiples; more combinations of the other keys are left out.
inline constexpr std::size_t kMaxSweepPlots = 6;

/// Small multiples are laid out in the grid (columns, then rows) whose plots are largest, a
/// plot counting its width over this and its height, the smaller: six in a row where the room
/// is wide and short (1280x720 beside the timeline), three by two where it is taller. Each plot
/// has the same size, x labels and y scale; the y labels are written left of each row only.
inline constexpr float kPlotAspect = 1.5f;

/// `shown`: the first axis's value the timeline shows, in the axis's positions' units
/// (shown_position), or nullopt.
SweepChart layout_sweep_chart(const sweep::SweepPlan& plan, const sweep::SweepResult& result,
                              const SweepChartSize& size, std::optional<double> shown = std::nullopt);

/// The value of `axis`'s first key in `s` (the scenario the timeline shows, its knobs
/// applied), in the axis's positions' units: nanoseconds for switch_interval, a count for
/// cores. nullopt for other keys, whose value may differ between runs (workers) or jobs.
std::optional<double> shown_position(const sweep::Axis& axis, const scenario::Scenario& s);

/// Per shown run, a note for its legend entry, empty for most: "deadlocked at every point",
/// "deadlocked at 2 of 3 points", or "under asyncio: within 2% of the axis at every point" for a run each of
/// whose points lies within 2% of the axis's height of a run drawn after it (which hides it).
std::vector<std::string> sweep_run_notes(const sweep::SweepPlan& plan, const sweep::SweepResult& result);

/// The marker nearest (x, y) within `radius` pixels, if any.
std::optional<SweepMarker> hit_sweep_marker(const SweepChart& chart, float x, float y, float radius);

}  // namespace gilsim::viz

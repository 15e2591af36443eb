// A line chart as text: one symbol per series at each x, dots between, labelled axes and a
// legend, for terminals and logs (the sweep's speed-up curves).
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace gilsim::cli {

struct ChartSeries {
  std::string name;
  std::vector<double> y;  ///< one value per x
  /// Per x (or empty): where the seeds disagree (sweep::Spread::seeds_disagree), their range
  /// as the tables write it ("0.0062x to 0.96x"), else empty. Such a point is drawn '!', not
  /// the series' symbol: its mean may be no seed's figure (lesson 15's 0.20x at 1.6 ms), and
  /// the legend names it with the range.
  std::vector<std::string> disagree = {};
  /// Said after the name in the legend only ("jobs varied": "2: 10 threads (jobs varied)"),
  /// where the name states a value the sweep varies; the notes under it quote the name alone.
  std::string legend_note = {};
};

struct TextChart {
  std::string x_label;                 ///< under the axis
  std::string y_label;                 ///< above the axis, such as "speed-up"
  /// Each y tick's text, given the tick's value and the axis's top (sweep::metric_tick);
  /// empty: a speed-up, "4.0x" ("0.50x" under a top of 2).
  std::function<std::string(double value, double top)> y_tick;
  /// A row's worth of y, as the legend's line on shared cells writes it ("0.33x"); empty: a
  /// speed-up, with two decimals (the axis's "0.3x" would hide what a row spans).
  std::function<std::string(double row)> row_text;
  /// The y axis's top over values up to `highest`; empty: sweep::axis_top.
  std::function<double(double highest)> y_top;
  std::vector<std::string> x_texts;    ///< tick labels, one per x
  std::vector<double> x_positions;     ///< empty: the x values evenly spaced
  bool log_x = false;
  std::vector<ChartSeries> series;
  /// Why some series have no value at some x (a y that is NaN: "threads: deadlocked at 1, 2"),
  /// printed under the legend. Such a point is a gap in its line and an 'x' on the x axis.
  std::vector<std::string> gap_notes;
};

/// `width` columns in all (at least 40), `height` rows of plot (4k+1 rows put a labelled
/// tick on the top, the bottom and three rows between; up to 8k+1 rows when that puts 1.0x
/// on a row, so values are drawn on their nearest row and 1.00x and 0.99x share one). Series are drawn with
/// holder_symbol(k); a cell several series share shows its group's symbol ('*' for the first
/// group of series, then '#', '@', ...), and the legend names the series behind each symbol,
/// quoted, and the x values where they meet ("*: '16 threads' and 'asyncio' within a row of
/// each other, from 50.0 ms to 70.0 ms"), then how much a row is ("(a row is 0.33x: ...)"):
/// values in one cell differ by up to a row, not only by rounding. X tick labels never overlap or cut each other: the plot keeps room
/// on its right for the last label; labels that do not fit on one line go on a second; a value
/// still without room is named under the legend, never left out silently. Every line ends with '\n'.
std::string render_text_chart(const TextChart& chart, int width, int height = 13);

}  // namespace gilsim::cli

// Text line chart: x values to columns (even, linear or log), y from 0 to a round maximum,
// segments drawn as dots, points as the series' symbols.
#include "sim/cli/text_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include "sim/cli/text_timeline.hpp"
#include "sim/cli/text_wrap.hpp"
#include "sim/sweep/sweep_axis.hpp"
#include "sim/sweep/sweep_metric.hpp"

namespace gilsim::cli {

namespace {

/// Rows of plot: `height`, or more (up to twice as many rows between labels) when that puts
/// 1.0x on a row: a run as fast as the first is then drawn on the same row as the first,
/// not a row above or below it because of rounding (8.0x at the top, 13 rows: 1.0x would
/// fall between the 0.67x and 1.33x rows).
int plot_rows(double top, int height) {
  const int per_label = (height - 1) / 4;
  if ((height - 1) % 4 != 0 || per_label == 0) return height;
  const double label_step = top / 4;
  for (int rows = per_label; rows <= 2 * per_label; ++rows) {
    const double rows_to_one = rows / label_step;
    if (std::abs(rows_to_one - std::round(rows_to_one)) < 1e-9) return 4 * rows + 1;
  }
  return height;
}

std::vector<int> x_columns(const TextChart& chart, int plot_width) {
  const auto fractions = sweep::axis_fractions(chart.x_positions, chart.log_x, chart.x_texts.size());
  std::vector<int> columns;
  for (const double f : fractions) columns.push_back(static_cast<int>(std::lround(f * (plot_width - 1))));
  return columns;
}

}  // namespace

std::string render_text_chart(const TextChart& chart, int width, int height) {
  width = std::max(width, 40);
  height = std::max(height, 4);
  double top = 0.0;
  for (const auto& s : chart.series) {
    for (const double y : s.y) {
      if (std::isfinite(y)) top = std::max(top, y);
    }
  }
  top = sweep::axis_top(top);
  height = plot_rows(top, height);
  const auto tick = [&](double y) {
    return chart.y_tick ? chart.y_tick(y, top) : sweep::metric_tick(sweep::Metric::Speedup, y, top);
  };
  const int label_width = static_cast<int>(std::max(tick(top).size(), tick(0.0).size()));
  const int plot_width = width - label_width - 3;
  const auto columns = x_columns(chart, plot_width);
  const auto row_of = [&](double y) {
    return height - 1 - static_cast<int>(std::lround(std::clamp(y / top, 0.0, 1.0) * (height - 1)));
  };

  std::vector<std::string> grid(static_cast<std::size_t>(height), std::string(static_cast<std::size_t>(plot_width), ' '));
  for (const auto& s : chart.series) {  // the dots first: points are drawn over them
    for (std::size_t i = 0; i + 1 < s.y.size() && i + 1 < columns.size(); ++i) {
      if (!std::isfinite(s.y[i]) || !std::isfinite(s.y[i + 1])) continue;
      for (int c = columns[i] + 1; c < columns[i + 1]; ++c) {
        const double f = static_cast<double>(c - columns[i]) / (columns[i + 1] - columns[i]);
        char& cell = grid[static_cast<std::size_t>(row_of(s.y[i] + f * (s.y[i + 1] - s.y[i])))][static_cast<std::size_t>(c)];
        if (cell == ' ') cell = '.';
      }
    }
  }
  // Each cell's series, as a bit set: a '*' names the series that share it in the legend.
  std::vector<std::vector<std::uint64_t>> owners(grid.size(), std::vector<std::uint64_t>(static_cast<std::size_t>(plot_width), 0));
  std::string axis_row(static_cast<std::size_t>(plot_width), '-');
  bool gaps = false;
  for (std::size_t k = 0; k < chart.series.size(); ++k) {
    const auto& s = chart.series[k];
    for (std::size_t i = 0; i < s.y.size() && i < columns.size(); ++i) {
      const auto c = static_cast<std::size_t>(columns[i]);
      if (!std::isfinite(s.y[i])) {  // no value here: a gap in the line, and a mark on the axis
        axis_row[c] = 'x';
        gaps = true;
        continue;
      }
      const auto r = static_cast<std::size_t>(row_of(s.y[i]));
      owners[r][c] |= std::uint64_t{1} << std::min<std::size_t>(k, 63);
      const bool taken = (owners[r][c] & (owners[r][c] - 1)) != 0;
      grid[r][c] = taken ? '*' : holder_symbol(static_cast<int>(k));
    }
  }
  std::vector<std::uint64_t> shared_sets;  // in order of first appearance, left to right
  for (std::size_t c = 0; c < static_cast<std::size_t>(plot_width); ++c) {
    for (std::size_t r = 0; r < grid.size(); ++r) {
      const std::uint64_t set = owners[r][c];
      if ((set & (set - 1)) != 0 && std::find(shared_sets.begin(), shared_sets.end(), set) == shared_sets.end()) {
        shared_sets.push_back(set);
      }
    }
  }

  std::string out = chart.y_label.empty() ? "" : fmt::format("{:>{}}\n", chart.y_label, label_width);
  const int label_every = std::max(1, (height - 1) / 4);
  for (int r = 0; r < height; ++r) {
    const bool labelled = r % label_every == 0 || r == height - 1;
    const double y = top * (height - 1 - r) / (height - 1);
    std::string line = fmt::format("{:>{}} |{}", labelled ? tick(y) : "", label_width, grid[static_cast<std::size_t>(r)]);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  out += fmt::format("{:>{}} +{}\n", "", label_width, axis_row);
  // Tick labels where they fit, left to right, two spaces apart; the last value always shows,
  // and the labels it would overlap are left out whole, never cut.
  struct Placed {
    int start;
    std::size_t i;
  };
  std::vector<Placed> placed;
  const auto end_of = [&](const Placed& p) { return p.start + static_cast<int>(chart.x_texts[p.i].size()) + 2; };
  for (std::size_t i = 0; i < chart.x_texts.size(); ++i) {
    const int start = std::max(0, std::min(columns[i], plot_width + 1 - static_cast<int>(chart.x_texts[i].size())));
    const bool last = i + 1 == chart.x_texts.size();
    while (last && !placed.empty() && end_of(placed.back()) > start) placed.pop_back();
    if (!placed.empty() && end_of(placed.back()) > start) continue;
    placed.push_back(Placed{start, i});
  }
  std::string ticks;
  for (const Placed& p : placed) {
    ticks.resize(static_cast<std::size_t>(p.start), ' ');
    ticks += chart.x_texts[p.i];
  }
  out += std::string(static_cast<std::size_t>(label_width + 2), ' ') + ticks + "\n";
  const int label_at = label_width + 2 + std::max(0, (plot_width - static_cast<int>(chart.x_label.size())) / 2);
  out += std::string(static_cast<std::size_t>(label_at), ' ') + chart.x_label + "\n";
  std::string legend;
  int line_length = 0;
  for (std::size_t k = 0; k < chart.series.size(); ++k) {
    const std::string item = fmt::format("{}: {}", holder_symbol(static_cast<int>(k)), chart.series[k].name);
    if (line_length > 0 && line_length + 2 + static_cast<int>(item.size()) > width) {
      legend += "\n";
      line_length = 0;
    } else if (line_length > 0) {
      legend += "   ";
      line_length += 3;
    }
    legend += item;
    line_length += static_cast<int>(item.size());
  }
  // Which runs each '*' stands for: a run hidden under another one's symbols is named.
  std::string notes;
  for (const std::uint64_t set : shared_sets) {
    std::vector<std::string> names;
    for (std::size_t k = 0; k < chart.series.size() && k < 64; ++k) {
      if ((set >> k) & 1) names.push_back(chart.series[k].name);
    }
    std::string together = names.front();
    for (std::size_t n = 1; n < names.size(); ++n) together += (n + 1 == names.size() ? " and " : ", ") + names[n];
    notes += fmt::format("*: {} at the same spot\n", together);
  }
  if (gaps) {
    notes += "x on the axis: no speed-up there, the run did not finish\n";
    for (const std::string& note : chart.gap_notes) notes += "  " + note + "\n";
  }
  return out + legend + "\n" + (notes.empty() ? "" : wrap_text(notes, width));
}

}  // namespace gilsim::cli

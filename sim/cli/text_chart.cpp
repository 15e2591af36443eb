// Text line chart: x values to columns (even, linear or log), y from 0 to a round maximum,
// segments drawn as dots, points as the series' symbols.
#include "sim/cli/text_chart.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "sim/cli/text_timeline.hpp"
#include "sim/sweep/sweep_axis.hpp"

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
  const auto tick = [&](double y) { return fmt::format("{:.{}f}{}", y, top < 2.0 ? 2 : 1, chart.y_unit); };
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
  std::vector<std::vector<int>> owner(grid.size(), std::vector<int>(static_cast<std::size_t>(plot_width), -1));
  bool shared = false;
  for (std::size_t k = 0; k < chart.series.size(); ++k) {
    const auto& s = chart.series[k];
    for (std::size_t i = 0; i < s.y.size() && i < columns.size(); ++i) {
      if (!std::isfinite(s.y[i])) continue;
      const auto r = static_cast<std::size_t>(row_of(s.y[i]));
      const auto c = static_cast<std::size_t>(columns[i]);
      const bool taken = owner[r][c] >= 0 && owner[r][c] != static_cast<int>(k);
      shared = shared || taken;
      grid[r][c] = taken ? '*' : holder_symbol(static_cast<int>(k));
      owner[r][c] = static_cast<int>(k);
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
  out += fmt::format("{:>{}} +{}\n", "", label_width, std::string(static_cast<std::size_t>(plot_width), '-'));
  // Tick labels where they fit, left to right; the last value always shows.
  std::string ticks(static_cast<std::size_t>(plot_width + 1), ' ');
  int free_from = 0;
  for (std::size_t i = 0; i < chart.x_texts.size(); ++i) {
    const auto& text = chart.x_texts[i];
    const int start = std::min(columns[i], plot_width + 1 - static_cast<int>(text.size()));
    const bool last = i + 1 == chart.x_texts.size();
    if (start < free_from && !last) continue;
    if (start < free_from) {  // make room for the last label
      std::fill(ticks.begin() + std::max(0, start - 1), ticks.end(), ' ');
    }
    ticks.replace(static_cast<std::size_t>(std::max(0, start)), text.size(), text);
    free_from = start + static_cast<int>(text.size()) + 2;
  }
  while (!ticks.empty() && ticks.back() == ' ') ticks.pop_back();
  out += std::string(static_cast<std::size_t>(label_width + 2), ' ') + ticks + "\n";
  const int label_at = label_width + 2 + std::max(0, (plot_width - static_cast<int>(chart.x_label.size())) / 2);
  out += std::string(static_cast<std::size_t>(label_at), ' ') + chart.x_label + "\n";
  std::string legend;
  int line_length = 0;
  for (std::size_t k = 0; k < chart.series.size(); ++k) {
    const std::string item = fmt::format("{} {}", holder_symbol(static_cast<int>(k)), chart.series[k].name);
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
  if (shared) legend += line_length + 22 > width ? "\n* several runs" : "   * several runs";
  return out + legend + "\n";
}

}  // namespace gilsim::cli

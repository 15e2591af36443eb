// Laying out the sweep chart: a grid of plots, a shared y axis from 0 to a round top, x
// places from the sweep library's axis (the text chart uses the same ones).
#include "viz/sweep_chart.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "sim/sweep/sweep_axis.hpp"

namespace gilsim::viz {

SweepChart layout_sweep_chart(const sweep::SweepPlan& plan, const sweep::SweepResult& result,
                              const SweepChartSize& size) {
  SweepChart chart;
  if (plan.axes.empty() || result.figures.empty()) return chart;
  const sweep::Axis& first = plan.axes.front();
  chart.x_label = first.label();
  chart.error_bars = plan.seeds > 1;
  const std::size_t combinations = plan.points() / first.size();
  const std::size_t count = std::min(combinations, kMaxSweepPlots);
  double highest = 0.0;
  for (std::size_t point = 0; point < plan.points(); ++point) {
    for (std::size_t run = 0; run < plan.runs.size(); ++run) {
      const auto s = sweep::summarise(result, point, run).speedup;
      highest = std::max(highest, s.mean + s.deviation);
    }
  }
  chart.y_top = sweep::axis_top(highest);
  const auto columns = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(count))));
  const std::size_t rows = (count + columns - 1) / columns;
  const float cell_w = size.width / static_cast<float>(columns);
  const float cell_h = size.height / static_cast<float>(rows);
  const float margin_left = size.char_width * 6;
  // Each cell's margins: a line and a half under the plot, and above it half a line, or a
  // line and a half with a title.
  const float margins = size.text_height * (plan.axes.size() > 1 ? 3.1f : 2.1f);
  if (cell_h - margins < size.text_height * kMinPlotLines) {
    chart.too_small = true;
    return chart;
  }
  const auto fractions = sweep::axis_fractions(first.positions, first.log_scale, first.size());
  for (std::size_t c = 0; c < count; ++c) {
    SweepPlot plot;
    const float cell_x = size.left + cell_w * static_cast<float>(c % columns);
    const float cell_y = size.top + cell_h * static_cast<float>(c / columns);
    plot.title = plan.point_label(c, 1);
    plot.left = cell_x + margin_left;
    plot.right = cell_x + cell_w - size.char_width * 2;
    plot.top = cell_y + (plot.title.empty() ? size.text_height * 0.5f : size.text_height * 1.5f);
    plot.bottom = cell_y + cell_h - size.text_height * 1.6f;
    const auto x_of = [&](std::size_t i) { return plot.left + static_cast<float>(fractions[i]) * (plot.right - plot.left); };
    const auto y_of = [&](double v) {
      return plot.bottom - static_cast<float>(std::clamp(v / chart.y_top, 0.0, 1.05)) * (plot.bottom - plot.top);
    };
    for (std::size_t run = 0; run < plan.runs.size(); ++run) {
      std::vector<SweepMarker> line;
      for (std::size_t i = 0; i < first.size(); ++i) {
        const std::size_t point = i * combinations + c;
        const auto s = sweep::summarise(result, point, run).speedup;
        line.push_back(SweepMarker{x_of(i), y_of(s.mean), y_of(s.mean - s.deviation), y_of(s.mean + s.deviation),
                                   point, run, s.mean, s.deviation});
      }
      plot.lines.push_back(std::move(line));
    }
    // X labels where they fit, the last always.
    float free_from = -1e9f;
    for (std::size_t i = 0; i < first.size(); ++i) {
      const std::string& text = first.values.front()[i];
      const float width = size.char_width * static_cast<float>(text.size());
      const float x = x_of(i);
      const bool last = i + 1 == first.size();
      if (x - width / 2 < free_from && !last) continue;
      if (last && !plot.x_ticks.empty() && x - width / 2 < free_from) plot.x_ticks.pop_back();
      plot.x_ticks.push_back(SweepTick{x, text});
      free_from = x + width / 2 + size.char_width;
    }
    for (int k = 0; k <= 4; ++k) {
      const double v = chart.y_top * k / 4.0;
      plot.y_ticks.push_back(SweepTick{y_of(v), fmt::format("{:.{}f}x", v, chart.y_top < 2.0 ? 2 : 1)});
    }
    chart.plots.push_back(std::move(plot));
  }
  return chart;
}

std::optional<SweepMarker> hit_sweep_marker(const SweepChart& chart, float x, float y, float radius) {
  std::optional<SweepMarker> best;
  float best_distance = radius * radius;
  for (const SweepPlot& plot : chart.plots) {
    for (const auto& line : plot.lines) {
      for (const SweepMarker& m : line) {
        const float d = (m.x - x) * (m.x - x) + (m.y - y) * (m.y - y);
        if (d <= best_distance) {
          best_distance = d;
          best = m;
        }
      }
    }
  }
  return best;
}

}  // namespace gilsim::viz

// Laying out the sweep chart: a grid of plots, a shared y axis from 0 to a round top, x
// places from the sweep library's axis (the text chart uses the same ones).
#include "viz/sweep_chart.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>

#include <fmt/format.h>

#include "sim/sweep/sweep_axis.hpp"
#include "sim/sweep/sweep_metric.hpp"
#include "sim/trace/outcomes.hpp"
#include "sim/trace/time.hpp"

namespace gilsim::viz {

std::vector<std::string> sweep_run_notes(const sweep::SweepPlan& plan, const sweep::SweepResult& result) {
  std::vector<std::string> notes(plan.runs.size());
  if (plan.axes.empty() || result.figures.empty()) return notes;
  std::vector<std::vector<sweep::PointSummary>> at(plan.runs.size());
  double highest = 0.0;
  for (std::size_t run = 0; run < plan.runs.size(); ++run) {
    for (std::size_t point = 0; point < plan.points(); ++point) {
      at[run].push_back(sweep::summarise(result, point, run));
      const double v = sweep::metric_of(at[run].back(), plan.metric).mean;
      if (std::isfinite(v)) highest = std::max(highest, v);
    }
  }
  // Within 2% of the axis's height: a few pixels, under the width of a line and its markers.
  const double near = sweep::plot_top(highest) * 0.02;
  for (std::size_t run = 0; run < plan.runs.size(); ++run) {
    const auto unfinished = static_cast<std::size_t>(
        std::count_if(at[run].begin(), at[run].end(), [](const sweep::PointSummary& s) { return !s.finished(); }));
    if (unfinished > 0) {
      const auto first = std::find_if(at[run].begin(), at[run].end(), [](const auto& s) { return !s.finished(); });
      const std::string why = sweep::unfinished_text(*first, plan.seeds);
      notes[run] = unfinished == at[run].size() ? fmt::format("{} at every point", why)
                                                : fmt::format("{} at {} of {} points", why, unfinished, at[run].size());
      continue;
    }
    // Drawn later, a run's line covers this one's: name the first run that hides it whole.
    for (std::size_t later = run + 1; later < plan.runs.size(); ++later) {
      bool same = true;
      for (std::size_t point = 0; point < plan.points() && same; ++point) {
        same = std::abs(sweep::metric_of(at[run][point], plan.metric).mean -
                        sweep::metric_of(at[later][point], plan.metric).mean) <= near;
      }
      if (same) {
        notes[run] = fmt::format("under {}: within 2% of the axis at every point", plan.run_names[later]);
        break;
      }
    }
  }
  return notes;
}

namespace {

float label_width(const std::string& text, const SweepChartSize& size) {
  return size.text_width ? size.text_width(text) : size.char_width * static_cast<float>(text.size());
}

/// The values where two runs' curves cross, by value index: of the two values the order of the
/// runs changes between, the nearer to the crossing. Curves the same within 2% of the axis's
/// height everywhere (threads and asyncio in lesson 21) cross only by rounding: not counted.
std::vector<std::size_t> crossings(const std::vector<std::vector<SweepMarker>>& lines, double y_top) {
  std::vector<std::size_t> out;
  const double near = y_top * 0.02;
  for (std::size_t a = 0; a < lines.size(); ++a) {
    for (std::size_t b = a + 1; b < lines.size(); ++b) {
      const std::size_t n = std::min(lines[a].size(), lines[b].size());
      const auto d = [&](std::size_t i) { return lines[a][i].value - lines[b][i].value; };
      const auto both = [&](std::size_t i) { return lines[a][i].finished && lines[b][i].finished; };
      bool apart = false;
      for (std::size_t i = 0; i < n; ++i) apart = apart || (both(i) && std::abs(d(i)) > near);
      if (!apart) continue;
      for (std::size_t i = 1; i < n; ++i) {
        if (!both(i - 1) || !both(i) || (d(i - 1) < 0) == (d(i) < 0)) continue;
        out.push_back(std::abs(d(i - 1)) < std::abs(d(i)) ? i - 1 : i);
      }
    }
  }
  return out;
}

/// The values written beside the points: per line its highest point, then its last, then its
/// first, each above its point or else below it, where the text stays inside the plot and clear
/// of the values already placed and of every point; the highest lines' first.
std::vector<SweepValueLabel> value_labels(const SweepPlot& plot, sweep::Metric metric, const SweepChartSize& size) {
  std::vector<SweepValueLabel> placed;
  const float r = size.text_height * 0.35f;  // about a marker's size, with its outline
  const auto peak = [&](std::size_t run) {
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < plot.lines[run].size(); ++i) {
      const SweepMarker& m = plot.lines[run][i];
      if (m.finished && std::isfinite(m.value) && (!best || m.value > plot.lines[run][*best].value + 1e-9)) best = i;
    }
    return best;
  };
  std::vector<std::size_t> order(plot.lines.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto pa = peak(a), pb = peak(b);
    return (pa ? plot.lines[a][*pa].value : -1.0) > (pb ? plot.lines[b][*pb].value : -1.0);
  });
  std::vector<std::pair<std::size_t, std::size_t>> wanted;  // (run, index along x)
  // A peak said only where it stands out of the line's ends by more than a few pixels (lesson
  // 20's fork pool, 3.55x at 4 workers; not lesson 21's flat process pool).
  const float px = size.text_height * 0.5f;
  for (const std::size_t run : order) {
    const auto p = peak(run);
    const auto& line = plot.lines[run];
    if (!p || *p == 0 || *p + 1 == line.size()) continue;
    const auto above_end = [&](const SweepMarker& end) { return !end.finished || end.y - line[*p].y > px; };
    if (above_end(line.front()) && above_end(line.back())) wanted.emplace_back(run, *p);
  }
  for (const bool last : {true, false}) {
    for (const std::size_t run : order) {
      if (!plot.lines[run].empty()) wanted.emplace_back(run, last ? plot.lines[run].size() - 1 : 0);
    }
  }
  const auto meets = [](const SweepValueLabel& a, float l, float t, float rr, float b) {
    return l < a.right && a.left < rr && t < a.bottom && a.top < b;
  };
  for (const auto& [run, i] : wanted) {
    const SweepMarker& m = plot.lines[run][i];
    if (!m.finished || !std::isfinite(m.value)) continue;
    if (std::any_of(placed.begin(), placed.end(), [&](const SweepValueLabel& v) { return v.run == run && v.index == i; })) {
      continue;
    }
    const std::string text = sweep::metric_value_text(metric, m.value);
    const float w = label_width(text, size), h = size.text_height;
    const float centred = std::clamp(m.x - w / 2, plot.left + 2, std::max(plot.left + 2, plot.right - 2 - w));
    // Above the point, below it, then left or right of it (the last point's value left of it).
    const std::pair<float, float> spots[] = {{centred, m.y - r - 1 - h}, {centred, m.y + r + 1},
                                             {m.x - r - 3 - w, m.y - h / 2}, {m.x + r + 3, m.y - h / 2}};
    for (const auto& [left, top] : spots) {
      const float right = left + w, bottom = top + h;
      if (top < plot.top + 1 || bottom > plot.bottom - 1 || left < plot.left + 1 || right > plot.right - 1) continue;
      if (std::any_of(placed.begin(), placed.end(), [&](const SweepValueLabel& v) { return meets(v, left, top, right, bottom); })) {
        continue;
      }
      bool on_a_point = false;
      for (const auto& line : plot.lines) {
        for (const SweepMarker& o : line) {
          on_a_point = on_a_point || (o.x + r > left && o.x - r < right && o.y + r > top && o.y - r < bottom);
        }
      }
      if (on_a_point) continue;
      placed.push_back(SweepValueLabel{left, top, right, bottom, text, run, i});
      break;
    }
  }
  return placed;
}

}  // namespace

bool round_steps(sweep::Metric metric, double top, int n) {
  // Written as the ticks are (metric_tick): speed-ups with one decimal (two under 2x), counts whole.
  // The GIL wait's ticks are whole nanoseconds.
  const double unit = metric == sweep::Metric::LostUpdates ? (top < 4.0 ? 0.25 : 1.0)
                      : metric == sweep::Metric::GilWait   ? 1.0
                                                           : (top < 2.0 ? 0.01 : 0.1);
  const double step = top / n;
  const double power = std::pow(10.0, std::floor(std::log10(step)));
  const double mantissa = step / power;
  bool round = false;
  for (const double k : {1.0, 2.0, 2.5, 5.0, 10.0}) round = round || std::abs(mantissa - k) < 1e-9;
  const double units = step / unit;
  return round && std::abs(units - std::round(units)) < 1e-9;
}

int y_steps(sweep::Metric metric, double top, float height, float text_height) {
  for (int n = 8; n > 2; --n) {
    if (height / static_cast<float>(n) < text_height * 1.1f) continue;
    if (round_steps(metric, top, n)) return n;
  }
  return 2;
}

std::vector<SweepTick> x_ticks_of(const sweep::Axis& axis, const std::function<float(std::size_t)>& x_of,
                                  float cell_left, float cell_right, const SweepChartSize& size,
                                  const std::vector<std::size_t>& crossings) {
  // A tick at every value; a label, as gilsim writes values ("1.60 ms", "10 MB"), at each one
  // that has room: the ends first, then where curves cross, then the rest from the left.
  // Centred under its tick, moved in where it would pass the cell's edges (never cut), and
  // never over another label.
  const std::size_t n = axis.size();
  std::vector<SweepTick> ticks(n);
  std::vector<std::string> texts(n);
  std::vector<float> widths(n);
  for (std::size_t i = 0; i < n; ++i) {
    texts[i] = axis.shown(0, i);
    widths[i] = label_width(texts[i], size);
    const float x = x_of(i);
    const float half = widths[i] / 2;
    ticks[i] = SweepTick{x, {}, std::clamp(x, cell_left + half, std::max(cell_left + half, cell_right - half))};
  }
  // The ends and "from the left" by place along x: values given 16..1 end at 1 and 16.
  const auto along = sweep::axis_order(axis.positions, axis.log_scale, n);
  std::vector<std::size_t> order;
  if (n > 0) order.push_back(along.back());
  if (n > 0) order.push_back(along.front());
  order.insert(order.end(), crossings.begin(), crossings.end());
  for (std::size_t k = 1; k + 1 < n; ++k) order.push_back(along[k]);
  const std::size_t must = std::min(order.size(), 2 + crossings.size());  // the ends and the crossings
  std::vector<std::pair<float, float>> taken[2];  // by line
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::size_t i = order[k];
    if (i >= n || !ticks[i].label.empty()) continue;
    const float from = ticks[i].label_at - widths[i] / 2 - size.char_width / 2;
    const float to = ticks[i].label_at + widths[i] / 2 + size.char_width / 2;
    for (int row = 0; row < (k < must ? 2 : 1); ++row) {
      auto& line = taken[row];
      if (std::any_of(line.begin(), line.end(), [&](const auto& t) { return from < t.second && t.first < to; })) continue;
      ticks[i].label = texts[i];
      ticks[i].row = row;
      line.emplace_back(from, to);
      break;
    }
  }
  return ticks;
}

std::optional<double> shown_position(const sweep::Axis& axis, const scenario::Scenario& s) {
  if (axis.keys.empty() || axis.positions.empty()) return std::nullopt;
  if (axis.keys.front() == "switch_interval") return static_cast<double>(s.python.switch_interval.ns());
  if (axis.keys.front() == "cores") return static_cast<double>(s.machine.cores);
  return std::nullopt;
}

SweepChart layout_sweep_chart(const sweep::SweepPlan& plan, const sweep::SweepResult& result,
                              const SweepChartSize& size, std::optional<double> shown) {
  SweepChart chart;
  if (plan.axes.empty() || result.figures.empty()) return chart;
  const sweep::Axis& first = plan.axes.front();
  chart.x_label = first.chart_label();
  chart.y_label = sweep::metric_axis_title(plan.metric);
  chart.error_bars = plan.seeds > 1;
  const std::size_t combinations = plan.points() / first.size();
  const std::size_t count = std::min(combinations, kMaxSweepPlots);
  // Each line's points from left to right (sweep::axis_order, as the text chart draws them):
  // given workers=4,1,16,2, the lines went back and forth across the plot. plot.lines, the
  // peaks and the crossings count places along x; grid points and x ticks, the axis's values.
  const auto along = sweep::axis_order(first.positions, first.log_scale, first.size());
  double highest = 0.0;
  for (std::size_t point = 0; point < plan.points(); ++point) {
    for (std::size_t run = 0; run < plan.runs.size(); ++run) {
      const auto s = sweep::metric_of(sweep::summarise(result, point, run), plan.metric);
      // A point whose seeds disagree draws its bar to its highest seed's value.
      if (std::isfinite(s.mean)) highest = std::max({highest, s.mean + s.deviation, s.seeds_disagree() ? s.high : 0.0});
    }
  }
  chart.y_top = sweep::metric_plot_top(plan.metric, highest);
  const bool titled = plan.axes.size() > 1;
  const float th = size.text_height;
  // Small multiples: each plot's own highest point, said over it (a class compares the panels'
  // peaks: lesson 20's 3.55x at 4 workers on four cores), with where it is. Not the baseline's,
  // whose speed-up is 1.00x against itself by definition (cores = 1 in lesson 20 ringed
  // sequential's first point); and nothing where the runs' values are flat, all within 2% of
  // each other: no point stands out to be named.
  struct Peak {
    bool found = false;
    std::size_t run = 0, index = 0;  // index: the place along x, as in plot.lines
    double value = 0;
  };
  std::vector<Peak> peaks(count);
  for (std::size_t c = 0; c < count && titled; ++c) {
    double lowest = 0.0;
    for (std::size_t run = 0; run < plan.runs.size(); ++run) {
      if (plan.metric == sweep::Metric::Speedup && plan.runs[run] == 0) continue;
      for (std::size_t k = 0; k < first.size(); ++k) {
        const auto s = sweep::metric_of(sweep::summarise(result, along[k] * combinations + c, run), plan.metric);
        if (!std::isfinite(s.mean)) continue;
        lowest = peaks[c].found ? std::min(lowest, s.mean) : s.mean;
        if (peaks[c].found && s.mean <= peaks[c].value + 1e-9) continue;
        peaks[c] = Peak{true, run, k, s.mean};
      }
    }
    if (peaks[c].found && peaks[c].value - lowest <= std::abs(peaks[c].value) * 0.02) peaks[c].found = false;
  }
  const std::string x_name = first.name.empty() && !first.keys.empty() ? first.keys.front() : first.name;
  // Most words first: "3.55x at workers = 4", "3.55x at workers=4", "3.55x (workers=4)", then the
  // value alone, "3.55x", whose point the ring shows. Never "3.55x at 4": under "cores = 4" a
  // class read the 4 as the cores. The value alone where the axis has one value: no "where".
  constexpr int kPeakLevels = 4;
  const auto peak_words = [&](const Peak& p, int level) {
    const std::string value = sweep::metric_value_text(plan.metric, p.value);
    const std::string at = first.shown(0, along[p.index]);
    if (x_name.empty() || first.size() < 2) level = kPeakLevels - 1;
    switch (level) {
      case 0: return fmt::format("{} at {} = {}", value, x_name, at);
      case 1: return fmt::format("{} at {}={}", value, x_name, at);
      case 2: return fmt::format("{} ({}={})", value, x_name, at);
      default: return value;
    }
  };
  const auto title_width = [&](std::size_t c) { return label_width(plan.point_text(c, 1), size) * 1.1f; };  // bold
  // Room at the right of each plot for half the last value's label: centred under its tick, it
  // then leaves the labels before it their room (lesson 21's "80.0 ms", the curves' crossing,
  // was dropped for a "90.0 ms" moved in from the edge); at the left of each plot after the
  // first in a row, for half the first value's.
  const float right_pad =
      std::max(size.char_width * 2, label_width(first.shown(0, first.size() - 1), size) / 2 + size.char_width);
  const float lead = std::max(size.char_width, label_width(first.shown(0, 0), size) / 2 + size.char_width / 2);
  const float gap = right_pad + lead;
  // Room for the widest y label ("4.0x", "20,000"), which is the top's.
  const auto margin_left_of = [&](double top) {
    const float label_chars = static_cast<float>(sweep::metric_tick(plan.metric, top, top).size());
    return size.char_width * std::max(6.0f, label_chars + 1.5f);
  };
  struct Grid {
    std::size_t columns = 1, rows = 1;
    float plot_w = 0, cell_h = 0;
    float header = 0.5f;  ///< lines above the plot: half a line, or a title's and a half, or a peak's line more
    bool peak_beside = true;
    int peak_level = 0;  ///< peak_words' level; -1: not said (no room)
    float margins(float line) const { return line * (header + 1.6f); }  // a line and a half under the plot
  };
  const auto grid_of = [&](std::size_t columns, float margin_left) {
    Grid g;
    g.columns = columns;
    g.rows = (count + columns - 1) / columns;
    g.plot_w = (size.width - margin_left - right_pad - gap * static_cast<float>(columns - 1)) / static_cast<float>(columns);
    g.cell_h = size.height / static_cast<float>(g.rows);
    if (!titled) return g;
    // The peak beside the title where every plot has room for the same words, in as many words
    // as every plot has room for, down to the value alone; else on a line of its own under it,
    // where the plot keeps kMinPlotLines of height; else not said (lesson 20's GIL wait over
    // workers=1..8 and cores=1..4 presented at 1280x720: its line left "Too little room").
    const float room = g.plot_w + right_pad;
    const auto fits = [&](int level, bool beside) {
      for (std::size_t c = 0; c < count; ++c) {
        if (!peaks[c].found) continue;
        const float w = label_width(peak_words(peaks[c], level), size) + (beside ? title_width(c) + size.char_width * 2 : 0);
        if (w > room) return false;
      }
      return true;
    };
    g.header = 1.5f;
    g.peak_level = -1;
    for (const bool beside : {true, false}) {
      if (!beside && g.cell_h - size.text_height * (2.5f + 1.6f) < size.text_height * kMinPlotLines) break;
      for (int level = 0; level < kPeakLevels; ++level) {
        if (!fits(level, beside)) continue;
        g.peak_beside = beside;
        g.peak_level = level;
        g.header = beside ? 1.5f : 2.5f;
        return g;
      }
    }
    return g;
  };
  // The grid whose plots are largest; one plot keeps the whole room.
  float margin_left = margin_left_of(chart.y_top);
  Grid grid = grid_of(1, margin_left);
  float best = -1e30f;
  for (std::size_t columns = 1; columns <= count; ++columns) {
    const Grid g = grid_of(columns, margin_left);
    if (g.plot_w <= 0) break;
    const float score = std::min(g.plot_w / kPlotAspect, g.cell_h - g.margins(th) - th);
    if (score > best + 0.5f) {
      best = score;
      grid = g;
    }
  }
  // Titles at the top of their cells, without the half line above them, before too little room
  // (lesson 20's GIL wait presented at 1280x720, its legend three lines: 7 px short).
  const auto compact = [&](Grid& g) {
    if (titled && g.peak_beside && g.cell_h - g.margins(th) < th * kMinPlotLines) g.header = 1.0f + 4.0f / th;
  };
  compact(grid);
  if (grid.cell_h - grid.margins(th) < th * kMinPlotLines || grid.plot_w <= 0) {
    chart.too_small = true;
    return chart;
  }
  // The top for a plot `height` tall: the smallest round value over the peak that this height
  // cuts into round steps (a short plot with a top of 1.2x had two steps of 0.60x; 1.5x has
  // three of 0.50x). The ticks are y_steps at the same height, so they cut this top.
  const double peak_top = chart.y_top;
  const auto top_for = [&](float height) {
    double top = peak_top;
    for (int tries = 0; tries < 12 && !round_steps(plan.metric, top, y_steps(plan.metric, top, height, th)); ++tries) {
      top = sweep::next_plot_top(top);
    }
    return top;
  };
  const auto fractions = sweep::axis_fractions(first.positions, first.log_scale, first.size());
  // Where the shown value falls, placed as the values are (axis_fractions with it added).
  std::optional<double> shown_fraction;
  if (shown && first.positions.size() == first.size() && first.size() > 1) {
    auto with_shown = first.positions;
    with_shown.push_back(*shown);
    const double low = *std::min_element(first.positions.begin(), first.positions.end());
    const double high = *std::max_element(first.positions.begin(), first.positions.end());
    if (*shown >= low && *shown <= high) {
      shown_fraction = sweep::axis_fractions(with_shown, first.log_scale, with_shown.size()).back();
      chart.shown_text = fmt::format("shown above: {}", first.durations ? format_time(Time{std::llround(*shown)})
                                                                        : trace::group_digits(std::llround(*shown)));
    }
  }
  const auto lay_out_plots = [&] {
    chart.plots.clear();
    for (std::size_t c = 0; c < count; ++c) {
      SweepPlot plot;
      const std::size_t column = c % grid.columns;
      const float cell_y = size.top + grid.cell_h * static_cast<float>(c / grid.columns);
      plot.title = plan.point_text(c, 1);
      plot.left = size.left + margin_left + static_cast<float>(column) * (grid.plot_w + gap);
      plot.right = plot.left + grid.plot_w;
      plot.top = cell_y + th * grid.header;
      plot.bottom = cell_y + grid.cell_h - th * 1.6f;
      const auto x_of = [&](std::size_t i) { return plot.left + static_cast<float>(fractions[i]) * (plot.right - plot.left); };
      const auto y_of = [&](double v) {
        return plot.bottom - static_cast<float>(std::clamp(v / chart.y_top, 0.0, 1.05)) * (plot.bottom - plot.top);
      };
      const auto place_lines = [&] {
        plot.lines.clear();
        for (std::size_t run = 0; run < plan.runs.size(); ++run) {
          std::vector<SweepMarker> line;
          for (const std::size_t i : along) {
            const std::size_t point = i * combinations + c;
            const sweep::PointSummary summary = sweep::summarise(result, point, run);
            const auto s = sweep::metric_of(summary, plan.metric);
            if (!std::isfinite(s.mean)) {  // no speed-up: a mark on the x axis, and a gap in the line
              line.push_back(SweepMarker{x_of(i), plot.bottom, plot.bottom, plot.bottom, point, run, s.mean, 0, false,
                                         summary.finished() ? "no speed-up" : sweep::unfinished_text(summary, plan.seeds)});
              continue;
            }
            const bool disagree = plan.seeds > 1 && s.seeds_disagree();
            line.push_back(SweepMarker{x_of(i), y_of(s.mean), y_of(disagree ? s.low : s.mean - s.deviation),
                                       y_of(disagree ? s.high : s.mean + s.deviation), point, run, s.mean, s.deviation,
                                       true, {}, disagree, s.low, s.high});
          }
          plot.lines.push_back(std::move(line));
        }
      };
      place_lines();
      // Small multiples label the same values in every plot, where the ends and the rest have
      // room, so that a class compares them: a crossing's value labelled in one plot only read as
      // a different axis.
      const float cell_left = titled ? plot.left - lead : size.left;
      std::vector<std::size_t> crossed;  // the axis's values
      if (!titled) {
        for (const std::size_t k : crossings(plot.lines, chart.y_top)) crossed.push_back(along[k]);
      }
      plot.x_ticks = x_ticks_of(first, x_of, cell_left, plot.right + right_pad, size, crossed);
      // An end's or a crossing's label with no room beside the others goes on a second line,
      // where the plot keeps its three lines of height; else it is left out.
      if (std::any_of(plot.x_ticks.begin(), plot.x_ticks.end(), [](const SweepTick& t) { return t.row > 0; })) {
        if (plot.bottom - th - plot.top >= th * kMinPlotLines) {
          plot.bottom -= th;
          place_lines();
        } else {
          for (SweepTick& t : plot.x_ticks) {
            if (t.row > 0) t = SweepTick{t.at, {}, t.label_at};
          }
        }
      }
      // The same steps in every plot (they have the same height); labelled left of each row.
      const int steps = y_steps(plan.metric, chart.y_top, plot.bottom - plot.top, th);
      for (int k = 0; k <= steps; ++k) {
        const double v = chart.y_top * k / steps;
        plot.y_ticks.push_back(SweepTick{y_of(v), column == 0 ? sweep::metric_tick(plan.metric, v, chart.y_top) : ""});
      }
      plot.values = value_labels(plot, plan.metric, size);
      const bool peak_said = titled && peaks[c].found && grid.peak_level >= 0;
      if (peak_said) {  // said over the plot: not again beside the point
        std::erase_if(plot.values, [&](const SweepValueLabel& v) { return v.run == peaks[c].run && v.index == peaks[c].index; });
      }
      if (shown_fraction) plot.shown_x = plot.left + static_cast<float>(*shown_fraction) * (plot.right - plot.left);
      plot.title_left = plot.left;
      // A title line over the plot; the peak on it, or on a line of its own under it.
      plot.title_top = plot.top - th * (titled && !grid.peak_beside ? 2.0f : 1.0f) - 2;
      if (peak_said) {
        plot.peak = std::make_pair(peaks[c].run, peaks[c].index);
        plot.peak_text = peak_words(peaks[c], grid.peak_level);
        plot.peak_left = grid.peak_beside ? plot.left + title_width(c) + size.char_width * 2 : plot.left;
        plot.peak_top = plot.top - th - 2;
      }
      chart.plots.push_back(std::move(plot));
    }
  };
  // A plot's height is known once its x labels are placed (a second line of them takes a line
  // of it), and every plot has the same: the top is chosen for that height, and the plots laid
  // out again where it moves. Chosen for a line less than the plot had, lesson 21 presented at
  // 1280x720 ran to 10.0x for a 6.39x peak, in four steps of 2.5x.
  for (int pass = 0;; ++pass) {
    lay_out_plots();
    const double top = top_for(chart.plots.front().bottom - chart.plots.front().top);
    if (top == chart.y_top || pass == 3) break;
    chart.y_top = top;
    if (margin_left_of(top) != margin_left) {  // "10.0x" takes a column more than "8.0x"
      margin_left = margin_left_of(top);
      grid = grid_of(grid.columns, margin_left);
      compact(grid);
      if (grid.cell_h - grid.margins(th) < th * kMinPlotLines || grid.plot_w <= 0) {
        chart.plots.clear();
        chart.too_small = true;
        return chart;
      }
    }
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

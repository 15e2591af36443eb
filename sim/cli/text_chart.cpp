// Text line chart: x values to columns (even, linear or log), y from 0 to a round maximum,
// segments drawn as dots, points as the series' symbols.
#include "sim/cli/text_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>

#include <fmt/format.h>

#include "sim/cli/text_timeline.hpp"
#include "sim/cli/text_wrap.hpp"
#include "sim/scenario/unicode_text.hpp"
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

/// The symbols of cells several series share, one per group of series ('*' for the first).
constexpr std::string_view kSharedSymbols = "*#@%&$=~";

/// "at every point", "at 1", "from 2 to 16", "at 1, 3 and from 5 to 9": the x values of
/// `xs` (indexes, in any order), runs of neighbours as a range, each value held to its unit.
std::string where(const std::vector<std::string>& texts, std::vector<std::size_t> xs) {
  std::sort(xs.begin(), xs.end());
  if (xs.size() == texts.size() && xs.size() > 1) return "at every point";
  std::vector<std::string> parts;
  for (std::size_t a = 0; a < xs.size();) {
    std::size_t b = a;
    while (b + 1 < xs.size() && xs[b + 1] == xs[b] + 1) ++b;
    if (b - a >= 2) {
      parts.push_back(fmt::format("from {} to {}", no_break(texts[xs[a]]), no_break(texts[xs[b]])));
    } else {
      for (std::size_t k = a; k <= b; ++k) parts.push_back(no_break(texts[xs[k]]));
    }
    a = b + 1;
  }
  return (parts.front().starts_with("from ") ? "" : "at ") + and_list(parts);
}

/// `given` with its values from left to right along x (sweep::axis_order): lines are drawn,
/// labels placed and runs of values named ("from 6 to 16") as for an ascending list. Given
/// workers=16..1 as they came, each segment ran right to left and drew no dots, and the labels
/// went to 1 and 15 only.
TextChart left_to_right(const TextChart& given) {
  const auto order = sweep::axis_order(given.x_positions, given.log_x, given.x_texts.size());
  const auto reorder = [&order](auto& values) {
    if (values.size() != order.size()) return;
    const auto as_given = values;
    for (std::size_t k = 0; k < order.size(); ++k) values[k] = as_given[order[k]];
  };
  TextChart chart = given;
  reorder(chart.x_texts);
  reorder(chart.x_positions);
  for (ChartSeries& s : chart.series) {
    reorder(s.y);
    reorder(s.disagree);
  }
  return chart;
}

}  // namespace

std::string render_text_chart(const TextChart& given, int width, int height) {
  const TextChart chart = left_to_right(given);
  width = std::max(width, 40);
  height = std::max(height, 4);
  double top = 0.0;
  for (const auto& s : chart.series) {
    for (const double y : s.y) {
      if (std::isfinite(y)) top = std::max(top, y);
    }
  }
  top = chart.y_top ? chart.y_top(top) : sweep::axis_top(top);
  height = plot_rows(top, height);
  const auto tick = [&](double y) {
    return chart.y_tick ? chart.y_tick(y, top) : sweep::metric_tick(sweep::Metric::Speedup, y, top);
  };
  const int label_width = static_cast<int>(std::max(tick(top).size(), tick(0.0).size()));
  // The last x sits in the plot's last column; its label starts there too, with room kept
  // on the right, so it is never pushed left over the one before (lesson 15's 1.60 ms).
  const int last_label = chart.x_texts.empty() ? 0 : static_cast<int>(chart.x_texts.back().size());
  const int plot_width = std::max(10, width - label_width - 3 - std::max(0, last_label - 2));
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
  // Each cell's series, as a bit set: a cell several series share gets its group's symbol,
  // which the legend explains.
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
      grid[r][c] = holder_symbol(static_cast<int>(k));
    }
  }
  // Points whose seeds disagree: '!' over any symbol, each named under the legend.
  std::vector<std::string> disagreeing;  // "'threads' at 1.60 ms (0.0062x to 0.96x)"
  std::vector<std::pair<std::size_t, std::size_t>> flagged;  // (row, column)
  for (const auto& s : chart.series) {
    for (std::size_t i = 0; i < s.disagree.size() && i < s.y.size() && i < columns.size(); ++i) {
      if (s.disagree[i].empty() || !std::isfinite(s.y[i])) continue;
      flagged.emplace_back(static_cast<std::size_t>(row_of(s.y[i])), static_cast<std::size_t>(columns[i]));
      disagreeing.push_back(fmt::format("'{}' at {} ({})", s.name, no_break(chart.x_texts[i]), s.disagree[i]));
    }
  }
  // The groups of series that share a cell, in order of first appearance, left to right,
  // each with its symbol and the x values where it falls: lesson 20's four runs at 1 worker
  // and its sequential and thread pool everywhere else are two groups, not one '*' twice.
  struct SharedGroup {
    std::uint64_t set;
    char symbol;
    std::vector<std::size_t> xs;  // indexes into chart.x_texts
  };
  std::vector<SharedGroup> groups;
  for (std::size_t c = 0; c < static_cast<std::size_t>(plot_width); ++c) {
    for (std::size_t r = 0; r < grid.size(); ++r) {
      const std::uint64_t set = owners[r][c];
      if ((set & (set - 1)) == 0) continue;
      auto g = std::find_if(groups.begin(), groups.end(), [&](const SharedGroup& x) { return x.set == set; });
      if (g == groups.end()) {
        const std::size_t n = groups.size();
        groups.push_back(SharedGroup{set, n < kSharedSymbols.size() ? kSharedSymbols[n] : kSharedSymbols.back(), {}});
        g = groups.end() - 1;
      }
      grid[r][c] = g->symbol;
      for (std::size_t i = 0; i < columns.size(); ++i) {
        if (static_cast<std::size_t>(columns[i]) == c && std::find(g->xs.begin(), g->xs.end(), i) == g->xs.end()) {
          g->xs.push_back(i);
        }
      }
    }
  }

  for (const auto& [r, c] : flagged) grid[r][c] = '!';

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
  // Tick labels where they fit, left to right, two spaces apart, on one line, or on two when
  // one line would leave some out; never cut. The last value always shows, and any value
  // still without room is named under the legend.
  struct Placed {
    int start;
    std::size_t i;
  };
  const auto start_of = [&](std::size_t i) {
    // A label may run into the room kept on the plot's right, up to the chart's width.
    return std::max(0, std::min(columns[i], width - label_width - 2 - static_cast<int>(chart.x_texts[i].size())));
  };
  const auto place = [&](int lines, std::vector<std::size_t>& unlabelled) {
    std::vector<std::vector<Placed>> placed(static_cast<std::size_t>(lines));
    const auto end_of = [&](const Placed& p) { return p.start + static_cast<int>(chart.x_texts[p.i].size()) + 2; };
    unlabelled.clear();
    for (std::size_t i = 0; i < chart.x_texts.size(); ++i) {
      const int start = start_of(i);
      const bool last = i + 1 == chart.x_texts.size();
      bool done = false;
      for (auto& line : placed) {
        if (line.empty() || end_of(line.back()) <= start) {
          line.push_back(Placed{start, i});
          done = true;
          break;
        }
      }
      if (done) continue;
      if (!last) {
        unlabelled.push_back(i);
        continue;
      }
      auto& line = placed.front();  // the last value shows: the labels it would overlap give way
      while (!line.empty() && end_of(line.back()) > start) {
        unlabelled.push_back(line.back().i);
        line.pop_back();
      }
      line.push_back(Placed{start, i});
    }
    std::sort(unlabelled.begin(), unlabelled.end());
    return placed;
  };
  std::vector<std::size_t> unlabelled;
  auto tick_lines = place(1, unlabelled);
  if (!unlabelled.empty()) tick_lines = place(2, unlabelled);
  for (const auto& line : tick_lines) {
    std::string ticks;
    for (const Placed& p : line) {
      ticks.resize(static_cast<std::size_t>(p.start), ' ');
      ticks += chart.x_texts[p.i];
    }
    if (!ticks.empty()) out += std::string(static_cast<std::size_t>(label_width + 2), ' ') + ticks + "\n";
  }
  // Centred under the plot, on more lines where it is wider than the plot: lesson 21's
  // "job.request.steps.2.io (with job.request.steps.1.cpu)" ran 20 columns past --width 40.
  const std::string x_label = chart.x_label.empty() ? "\n" : wrap_text(chart.x_label, plot_width);
  for (std::size_t from = 0, end; from < x_label.size(); from = end + 1) {
    end = x_label.find('\n', from);
    const std::string_view line = std::string_view(x_label).substr(from, end - from);
    const int label_at =
        label_width + 2 + std::max(0, (plot_width - static_cast<int>(scenario::terminal_columns(line))) / 2);
    out += std::string(static_cast<std::size_t>(label_at), ' ') + std::string(line) + "\n";
  }
  std::string legend;
  int line_length = 0;
  for (std::size_t k = 0; k < chart.series.size(); ++k) {
    const auto& series = chart.series[k];
    const std::string item = fmt::format("{}: {}{}", holder_symbol(static_cast<int>(k)), series.name,
                                         series.legend_note.empty() ? "" : " (" + series.legend_note + ")");
    const auto item_columns = static_cast<int>(scenario::terminal_columns(item));  // a run named in Chinese
    if (line_length > 0 && line_length + 3 + item_columns > width) {  // three spaces between items
      legend += "\n";
      line_length = 0;
    } else if (line_length > 0) {
      legend += "   ";
      line_length += 3;
    }
    if (line_length == 0 && item_columns > width) {
      // Wider than the chart on lines of its own, hanging under its words after the symbol
      // ("1: Pool(2) (number of worker processes in the pool varied)" took 59 columns at 40).
      std::string wrapped = wrap_entry(item, width);
      wrapped.pop_back();  // the last line's '\n': the next item or the legend's end adds one
      legend += wrapped;
      line_length = width;  // the next item on a line of its own
      continue;
    }
    legend += item;
    line_length += item_columns;
  }
  // Which runs each shared symbol stands for, and where: a run hidden under another one's
  // symbols is named. Names are quoted: a run may have a comma in its name ("process pool, spawn").
  // A shared cell is a row's worth of values, not one value: lesson 20's spawn pool, 0.87x at
  // one worker, shares 1.00x's cell there. So the note says "within a row" and how much a row is.
  std::string notes;
  for (const SharedGroup& g : groups) {
    std::vector<std::string> names;
    for (std::size_t k = 0; k < chart.series.size() && k < 64; ++k) {
      if ((g.set >> k) & 1) names.push_back(fmt::format("'{}'", chart.series[k].name));
    }
    notes += fmt::format("{}: {} within a row of each other, {}\n", g.symbol, and_list(names), where(chart.x_texts, g.xs));
  }
  if (!groups.empty()) {
    const double row = top / (height - 1);
    notes += fmt::format("(a row is {}; the tables above give each value)\n",
                         chart.row_text ? chart.row_text(row) : fmt::format("{:.2f}x", row));
  }
  if (!disagreeing.empty()) {
    notes += fmt::format("!: the seeds disagree there, so the point (their mean) may be no seed's figure: {}\n",
                         and_list(disagreeing));
  }
  if (!unlabelled.empty()) {
    std::vector<std::string> values;
    for (const std::size_t i : unlabelled) values.push_back(no_break(chart.x_texts[i]));
    notes += fmt::format("not labelled on the x axis, for want of room: {} (see the table above, or --width)\n",
                         and_list(values));
  }
  if (gaps) {
    notes += "x on the axis: no speed-up there, the run did not finish\n";
    for (const std::string& note : chart.gap_notes) notes += "  " + note + "\n";
  }
  return out + legend + "\n" + (notes.empty() ? "" : wrap_text(notes, width));
}

}  // namespace gilsim::cli

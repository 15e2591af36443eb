// The sweep's report: heading, tables, charts. Figures are means over seeds, with the
// sample standard deviation after '±' when there are several seeds.
#include "sim/cli/sweep_report.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/cli/scenario_report.hpp"
#include "sim/cli/text_chart.hpp"
#include "sim/cli/text_table.hpp"
#include "sim/cli/text_wrap.hpp"
#include "sim/sweep/sweep_axis.hpp"
#include "sim/sweep/sweep_metric.hpp"
#include "sim/trace/outcomes.hpp"
#include "sim/trace/table_key.hpp"

namespace gilsim::cli {

namespace {

using sweep::Spread;

std::string with_spread(const Spread& s, int seeds, const auto& format) {
  return seeds > 1 ? fmt::format("{} ± {}", format(s.mean), format(s.deviation)) : format(s.mean);
}

std::string duration(double ns) { return format_time(Time{std::llround(ns)}); }

std::string count(double n) { return trace::group_digits(std::llround(n)); }

}  // namespace

std::string speedup_with_spread(const Spread& s, int seeds) {
  const std::string mean = trace::format_speedup(s.mean);
  if (seeds <= 1) return mean;
  // The spread to the mean's decimals ("1.94x ± 0.02x"): one below its last digit is
  // "<0.01x", not a figure of more digits than the mean has ("± 0.0014x").
  const std::size_t point = mean.find('.');
  const int decimals = point == std::string::npos ? 0 : static_cast<int>(mean.size() - point - 2);
  const double unit = std::pow(10.0, -decimals);
  if (s.deviation > 0 && s.deviation < unit / 2) return fmt::format("{} ± <{:.{}f}x", mean, unit, decimals);
  return fmt::format("{} ± {:.{}f}x", mean, s.deviation, decimals);
}

namespace {

/// Runs that run alike with an earlier run at every point: their rows repeat its rows, and a
/// class should hear why before reading four equal tables.
std::string repeated_runs_note(const sweep::SweepPlan& plan, int width) {
  std::string out;
  for (const std::string& why : sweep::alike_runs_notes(plan)) out += wrap_text(why, width);
  return out;
}

/// Wrapped to `width`, a value held to its unit ("90.0 ms").
std::string heading(const sweep::SweepPlan& plan, int width) {
  std::string out = fmt::format("Sweep of \"{}\"\n  ({})\n", plan.title, plan.source_name);
  for (const auto& axis : plan.axes) {
    // Only the first key is charted along x: a second one's log range ("switch_interval=1ms..4ms*2"
    // after "cores=1..4") names the charts, it is no axis of theirs.
    const bool log_axis = axis.log_scale && &axis == &plan.axes.front();
    if (axis.size() == 1) {
      out += fmt::format("  {}: 1 value, {}\n", axis.label(), no_break(axis.shown(0, 0)));
    } else {
      out += fmt::format("  {}: {} values, {} to {}{}\n", axis.label(), axis.size(), no_break(axis.shown(0, 0)),
                         no_break(axis.shown(0, axis.size() - 1)), log_axis ? ", charted on a log scale" : "");
    }
  }
  // The runs simulated at each point and seed: the shown ones, and the first when not shown.
  const std::int64_t per_task = plan.simulations() / std::max<std::int64_t>(1, static_cast<std::int64_t>(plan.tasks()));
  out += fmt::format("  {} grid point{} x {} seed{} x {} run{}: {} simulation{}\n",
                     trace::group_digits(static_cast<std::int64_t>(plan.points())), plan.points() == 1 ? "" : "s",
                     plan.seeds, plan.seeds == 1 ? "" : "s", per_task, per_task == 1 ? "" : "s",
                     trace::group_digits(static_cast<std::int64_t>(plan.simulations())), plan.simulations() == 1 ? "" : "s");
  out += fmt::format("Speed-up is against '{}', the scenario's first run, at the same point and seed.\n",
                     plan.baseline);
  if (plan.metric == sweep::Metric::LostUpdates) {
    out += "Lost updates: updates made less the final value, summed over the scenario's counters.\n";
  }
  out += fmt::format("{}.\n", trace::kGilWaitKey);
  if (plan.seeds > 1) {
    out += fmt::format("Figures are the mean ± the standard deviation over {} seeds.\n", plan.seeds);
  }
  return wrap_text(out, width);
}

std::string run_table(const sweep::SweepPlan& plan, const sweep::SweepResult& result, std::size_t run, int width) {
  TextTable table;
  table.headers_wrap = true;
  for (const auto& axis : plan.axes) {
    for (const auto& key : axis.keys) {
      table.headers.push_back(key);
      table.right_aligned.push_back(true);
    }
  }
  for (const char* header : {"makespan", "speedup", "cores busy", "GIL held", "GIL wait", "switches", "lost updates"}) {
    if (std::string_view(header) == "lost updates" && !plan.has_counters) continue;
    table.headers.emplace_back(header);
    table.right_aligned.push_back(true);
  }
  // Too wide for --width even with its keys' names on two lines, the table leaves out the
  // figures furthest from the chart first (lesson 21 at --width 40), never the charted one.
  const std::size_t keys = table.headers.size() - (plan.has_counters ? 7 : 6);
  const std::size_t charted_column = keys + (plan.metric == sweep::Metric::GilWait       ? 4
                                             : plan.metric == sweep::Metric::LostUpdates ? 6
                                                                                         : 1);
  // switches, GIL wait, GIL held, cores busy, makespan, and the speed-up where another figure
  // is charted (--metric gil-wait at --width 40 kept the speed-up and left out the GIL wait).
  for (const std::size_t column : {5, 4, 3, 2, 0, 1}) {
    if (keys + column != charted_column) table.left_out_first.push_back(keys + column);
  }
  const int seeds = plan.seeds;
  bool several_gils = false;
  // Cells whose seeds disagree (Spread::seeds_disagree): marked '!', each named under the table,
  // the charted metric's first: its mean is the point the chart draws, and a class reads the
  // chart before the note's fifth cell (lesson 15's 0.20x at 1.6 ms came after four cells of
  // lost updates, under "and 5 more").
  std::vector<std::string> disagreeing, charted_disagreeing;
  const std::string charted = sweep::metric_axis_title(plan.metric);
  const auto marked = [&](std::string cell, const Spread& spread, std::size_t point, const char* what,
                          const auto& format) {
    if (seeds < 2 || !spread.seeds_disagree()) return cell;
    (what == charted ? charted_disagreeing : disagreeing)
        .push_back(fmt::format("{} at {}: {} to {}", what, plan.point_text(point), format(spread.low),
                               format(spread.high)));
    return cell + "!";
  };
  const auto speedup_text = [](double x) { return trace::format_speedup(x); };
  for (std::size_t point = 0; point < plan.points(); ++point) {
    std::vector<std::string> row;
    const auto at = plan.coordinates(point);
    for (std::size_t a = 0; a < plan.axes.size(); ++a) {
      for (std::size_t k = 0; k < plan.axes[a].keys.size(); ++k) row.push_back(plan.axes[a].shown(k, at[a]));
    }
    const sweep::PointSummary s = sweep::summarise(result, point, run);
    const auto percent = [](double f) { return fmt::format("{:.0f}%", f * 100.0); };
    // A run that did not finish has no time to finish and no speed-up: the cell says why.
    row.push_back(s.finished() ? marked(with_spread(s.makespan_ns, seeds, duration), s.makespan_ns, point, "makespan", duration)
                               : sweep::unfinished_text(s, seeds));
    row.push_back(std::isfinite(s.speedup.mean)
                      ? marked(speedup_with_spread(s.speedup, seeds), s.speedup, point, "speed-up", speedup_text)
                      : "-");
    row.push_back(marked(with_spread(s.cores_busy, seeds, percent), s.cores_busy, point, "cores busy", percent));
    // As the run table's cell (gil_held_cell): "max" when a process pool has a GIL per process.
    row.push_back(s.has_gil ? marked((s.several_gils ? "max " : "") + with_spread(s.gil_held, seeds, percent), s.gil_held,
                                     point, "GIL held", percent)
                            : "-");
    several_gils |= s.has_gil && s.several_gils;
    row.push_back(s.has_gil ? marked(with_spread(s.gil_wait_ns, seeds, duration), s.gil_wait_ns, point, "GIL wait", duration)
                            : "-");
    row.push_back(marked(with_spread(s.switches, seeds, count), s.switches, point, "switches", count));
    if (plan.has_counters) {
      row.push_back(marked(with_spread(s.lost_updates, seeds, count), s.lost_updates, point, "lost updates", count));
    }
    table.rows.push_back(std::move(row));
  }
  // A marked column's other cells end in a space, so that its digits stay aligned.
  for (std::size_t column = 0; column < table.headers.size(); ++column) {
    const bool marks = std::any_of(table.rows.begin(), table.rows.end(),
                                   [&](const auto& row) { return row[column].ends_with("!"); });
    if (!marks) continue;
    for (auto& row : table.rows) {
      if (!row[column].ends_with("!")) row[column] += " ";
    }
  }
  std::vector<std::size_t> left_out;
  std::string out = render_table(table, static_cast<std::size_t>(width), &left_out);
  // The note on "max" only where its column is shown (not at --width 40).
  const std::size_t held_column = keys + 3;
  if (several_gils && std::find(left_out.begin(), left_out.end(), held_column) == left_out.end()) {
    out += wrap_text(kGilHeldMaxNote, width);
  }
  disagreeing.insert(disagreeing.begin(), charted_disagreeing.begin(), charted_disagreeing.end());
  if (!disagreeing.empty()) {
    constexpr std::size_t kNamed = 4;
    const std::size_t more = disagreeing.size() > kNamed ? disagreeing.size() - kNamed : 0;
    disagreeing.resize(std::min(disagreeing.size(), kNamed));
    out += wrap_text(fmt::format("! the seeds disagree (their standard deviation is more than half their mean), so "
                                 "the mean may be no seed's figure: {}{}. Each seed's figure is in --csv.",
                                 fmt::join(disagreeing, "; "), more > 0 ? fmt::format("; and {} more", more) : ""),
                     width);
  }
  return out;
}

std::string charts(const sweep::SweepPlan& plan, const sweep::SweepResult& result, int width) {
  const sweep::Axis& first = plan.axes.front();
  const std::size_t combinations = plan.points() / first.size();
  std::string out;
  for (std::size_t c = 0; c < combinations && c < kMaxSweepCharts; ++c) {
    TextChart chart;
    chart.x_label = first.chart_label();
    chart.y_label = sweep::metric_axis_title(plan.metric);
    chart.y_tick = [&plan](double value, double top) { return sweep::metric_tick(plan.metric, value, top); };
    chart.y_top = [&plan](double highest) { return sweep::metric_axis_top(plan.metric, highest); };
    if (plan.metric == sweep::Metric::LostUpdates) {
      chart.row_text = [](double row) { return fmt::format("{} updates", trace::group_digits(std::llround(row))); };
    }
    if (plan.metric == sweep::Metric::GilWait) {
      chart.row_text = [](double row) { return sweep::metric_value_text(sweep::Metric::GilWait, row); };
    }
    for (std::size_t i = 0; i < first.size(); ++i) chart.x_texts.push_back(first.shown(0, i));
    chart.x_positions = first.positions;
    chart.log_x = first.log_scale;
    for (std::size_t run = 0; run < plan.runs.size(); ++run) {
      // A name that states a value the axis varies says so: "10 threads (jobs varied)".
      const bool varied = run < plan.name_varied.size() && !plan.name_varied[run].empty();
      ChartSeries series{plan.run_names[run], {}};
      if (varied) series.legend_note = plan.name_varied[run] + " varied";
      std::vector<std::string> gaps;  // "deadlocked at 1, 2, 3"
      std::vector<std::string> unfinished(first.size());  // why each point did not finish, if it did not
      for (std::size_t i = 0; i < first.size(); ++i) {
        const sweep::PointSummary s = sweep::summarise(result, i * combinations + c, run);
        const Spread spread = sweep::metric_of(s, plan.metric);
        series.y.push_back(spread.mean);
        series.disagree.push_back(plan.seeds > 1 && spread.seeds_disagree()
                                      ? fmt::format("{} to {}", sweep::metric_value_text(plan.metric, spread.low),
                                                    sweep::metric_value_text(plan.metric, spread.high))
                                      : std::string());
        if (!s.finished()) unfinished[i] = sweep::unfinished_text(s, plan.seeds);
      }
      // The points that did not finish, named as the axis reads, left to right ("deadlocked at
      // 1, 2, 4" for cores=1,4,2).
      std::string why;
      for (const std::size_t i : sweep::axis_order(chart.x_positions, chart.log_x, first.size())) {
        if (unfinished[i].empty()) continue;
        if (why != unfinished[i]) gaps.push_back(unfinished[i] + " at " + no_break(chart.x_texts[i]));
        else gaps.back() += ", " + no_break(chart.x_texts[i]);
        why = unfinished[i];
      }
      if (!gaps.empty()) {
        chart.gap_notes.push_back(fmt::format("{}: {}", plan.run_names[run], fmt::format("{}", fmt::join(gaps, "; "))));
      }
      chart.series.push_back(std::move(series));
    }
    const std::string where = plan.point_text(c, 1);
    std::string title = sweep::metric_axis_title(plan.metric);
    title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
    out += '\n';
    out += wrap_text(fmt::format("{} against {}{}", title, first.label(), where.empty() ? "" : " at " + where), width);
    out += render_text_chart(chart, width);
  }
  if (combinations > kMaxSweepCharts) {
    out += fmt::format("\n({} more charts, one per combination of the other keys' values, are in --csv or --json)\n",
                       combinations - kMaxSweepCharts);
  }
  return out;
}

/// Along a `gil` axis, what the baseline itself takes at each value, where that moves: each
/// speed-up divides by its own point's baseline, so lesson 01's 4.00x at gil = none is against
/// a sequential run of 1.080 s, not 1.000 s. Why, only where it is F2's overhead: a sequential
/// baseline slowest without a GIL. The baseline's time from its own table, or from a shown
/// run's makespan and speed-up when --run leaves it out (one seed: exact).
/// With a second key: one line where the baseline's times along the gil are the same at every
/// value of the other key ("..., whatever the cores"), else a line for each value of it (where
/// the gil leaves the baseline alone there, its one time "at every gil").
std::string baseline_moves_note(const sweep::SweepPlan& plan, const sweep::SweepResult& result,
                                const scenario::Scenario& base, int width) {
  if (plan.axes.empty() || plan.axes.size() > 2 || base.runs.empty()) return {};
  const auto is_gil = [](const std::string& k) { return k == "gil" || k == "python.gil"; };
  std::size_t g = 0;  // the gil's axis
  while (g < plan.axes.size() && std::none_of(plan.axes[g].keys.begin(), plan.axes[g].keys.end(), is_gil)) ++g;
  if (g == plan.axes.size()) return {};
  const sweep::Axis& axis = plan.axes[g];
  const auto key = static_cast<std::size_t>(std::find_if(axis.keys.begin(), axis.keys.end(), is_gil) - axis.keys.begin());
  const auto shown = std::find(plan.runs.begin(), plan.runs.end(), std::size_t{0});
  if (shown == plan.runs.end() && (plan.seeds != 1 || plan.runs.empty())) return {};
  // The baseline's time at each point, by (the other axis's value, the gil's value).
  const bool other_axis = plan.axes.size() == 2;
  const std::size_t others = other_axis ? plan.axes[1 - g].size() : 1;
  std::vector<std::vector<double>> baseline(others, std::vector<double>(axis.size()));
  for (std::size_t point = 0; point < plan.points(); ++point) {
    const auto at = plan.coordinates(point);
    double& time = baseline[other_axis ? at[1 - g] : 0][at[g]];
    if (shown != plan.runs.end()) {
      const sweep::PointSummary s = sweep::summarise(result, point, static_cast<std::size_t>(shown - plan.runs.begin()));
      if (!s.finished()) return {};
      time = s.makespan_ns.mean;
    } else {
      const sweep::PointSummary s = sweep::summarise(result, point, 0);
      if (!s.finished() || !std::isfinite(s.speedup.mean)) return {};
      time = s.speedup.mean * s.makespan_ns.mean;
    }
  }
  // "1.000 s at gil = new, 1.000 s at gil = old, 1.080 s at gil = none", where it moves.
  std::vector<std::string> said(others);
  bool overhead = base.runs.front().executor == scenario::Executor::Sequential;
  for (std::size_t j = 0; j < others; ++j) {
    const auto [low, high] = std::minmax_element(baseline[j].begin(), baseline[j].end());
    if (!(*high > *low * 1.01)) continue;
    std::vector<std::string> parts;
    for (std::size_t i = 0; i < axis.size(); ++i) {
      parts.push_back(fmt::format("{} at gil = {}", format_time(Time{std::llround(baseline[j][i])}), axis.shown(key, i)));
    }
    said[j] = fmt::format("{}", fmt::join(parts, ", "));
    overhead = overhead && axis.values[key][static_cast<std::size_t>(high - baseline[j].begin())] == "none";
  }
  if (std::all_of(said.begin(), said.end(), [](const std::string& t) { return t.empty(); })) return {};
  const std::string why = overhead ? ": without a GIL, Python runs slower even alone (docs/model.md F2)" : "";
  if (std::all_of(said.begin(), said.end(), [&](const std::string& t) { return t == said.front(); })) {
    const sweep::Axis* other = other_axis ? &plan.axes[1 - g] : nullptr;
    const std::string whatever =
        other ? fmt::format(", whatever the {}", other->name.empty() ? other->keys.front() : other->name) : "";
    return wrap_text(fmt::format("'{}' itself takes {}{}{}, and each speed-up is against '{}' at its own point.",
                                 plan.baseline, said.front(), whatever, why, plan.baseline),
                     width);
  }
  const sweep::Axis& other = plan.axes[1 - g];
  std::string text = fmt::format("'{}' itself takes:\n", plan.baseline);
  // Every value of the other key, those where the gil leaves the baseline alone too: a line
  // missing for them read as a value with no baseline at all.
  for (std::size_t j = 0; j < others; ++j) {
    const std::string where = said[j].empty()
                                  ? fmt::format("{} at every gil", format_time(Time{std::llround(baseline[j].front())}))
                                  : said[j];
    text += fmt::format("- at {} = {}: {}\n", other.name.empty() ? other.keys.front() : other.name, other.shown(0, j), where);
  }
  text += overhead ? fmt::format("Without a GIL, Python runs slower even alone (docs/model.md F2), and each speed-up is "
                                 "against '{}' at its own point.",
                                 plan.baseline)
                   : fmt::format("Each speed-up is against '{}' at its own point.", plan.baseline);
  return wrap_text(text, width);
}

}  // namespace

std::string render_sweep_report(const sweep::SweepPlan& plan, const sweep::SweepResult& result,
                                const scenario::Scenario& base, int width) {
  std::string out = heading(plan, width) + repeated_runs_note(plan, width);
  if (const std::string unmoved = sweep::unmoved_runs_note(plan, result); !unmoved.empty()) {
    out += wrap_text(unmoved, width);
  }
  for (std::size_t run = 0; run < plan.runs.size(); ++run) {
    const scenario::Run& r = base.runs.at(plan.runs[run]);
    out += fmt::format("\n{} ({})\n", r.name, scenario::to_string(r.executor));
    out += run_table(plan, result, run, width);
    // "10 threads" heading rows of 1 to 64 threads: the name is the file's, the row's value is
    // the one in force, as gilsim run's "(now 8 threads)" says it.
    if (run < plan.name_varied.size() && !plan.name_varied[run].empty()) {
      // The columns are headed by the axis's keys ("run.switch 5 ms.switch_interval"), not its name.
      std::vector<std::string> columns{plan.name_varied[run]};
      for (const auto& axis : plan.axes) {
        if (axis.label() == plan.name_varied[run] && !axis.keys.empty()) columns = axis.keys;
      }
      out += wrap_text(columns.size() == 1
                           ? fmt::format("The name '{}' is the file's: each row runs at the value in its '{}' column.",
                                         r.name, columns.front())
                           : fmt::format("The name '{}' is the file's: each row runs at the values in its '{}' and '{}' "
                                         "columns.",
                                         r.name, fmt::join(columns.begin(), columns.end() - 1, "', '"), columns.back()),
                       width);
    }
  }
  out += baseline_moves_note(plan, result, base, width);
  return out + charts(plan, result, width);
}

}  // namespace gilsim::cli

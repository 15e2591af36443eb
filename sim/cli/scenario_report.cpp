// The report of one scenario: a heading, the note, the table, the timelines.
#include "sim/cli/scenario_report.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "sim/cli/measured_runs.hpp"
#include "sim/cli/override_words.hpp"
#include "sim/cli/text_table.hpp"
#include "sim/cli/text_timeline.hpp"
#include "sim/cli/text_wrap.hpp"
#include "sim/cpython/cpython_trace.hpp"
#include "sim/real/judgement.hpp"
#include "sim/scenario/unicode_text.hpp"
#include "sim/trace/metrics.hpp"
#include "sim/trace/outcomes.hpp"
#include "sim/trace/table_key.hpp"

namespace gilsim::cli {

namespace {

std::string executor_label(const trace::Trace& t) {
  if (t.gil_mode == "none") return fmt::format("{}, no GIL", t.executor);
  if (t.gil_mode == "old") return fmt::format("{}, old GIL", t.executor);
  return t.executor;
}

std::string percent(double fraction) { return fmt::format("{:.0f}%", fraction * 100.0); }

}  // namespace

std::string gil_held_cell(const trace::Metrics& m) {
  if (m.gil_lanes == 0) return "-";
  return m.gil_lanes == 1 ? percent(m.gil_held) : "max " + percent(m.gil_held);
}

const char* const kGilHeldMaxNote =
    "GIL held, max: the busiest of the run's GILs. Each process has its own GIL (P1), held only by its own "
    "threads: no process waits for another's, and the GIL wait is threads waiting for their own process's "
    "GIL, such as the pool's handler threads in the parent.";

std::string speedup_note(const trace::Trace& first, const trace::Trace* measured_first, bool some_without) {
  if (measured_first == nullptr) {
    return fmt::format("speedup: against '{}'; a measured run only against a measured run, and '{}' was not "
                       "measured here, so the measured runs show '-'.",
                       trace::display_name(first), first.run_name);
  }
  return fmt::format("speedup: against '{}', and a measured run's against '{}': measured against measured{}.",
                     trace::display_name(first), trace::display_name(*measured_first),
                     some_without ? "; '-' where no run was measured that way" : "");
}

std::string render_run_table(const std::vector<const trace::Trace*>& runs, std::size_t width) {
  TextTable table{{"run", "executor", "makespan", "speedup", "cores busy", "GIL held", "GIL wait", "switches",
                   "drop requests"},
                  {false, false, true, true, true, true, true, true, true},
                  {},
                  // The executor first: the runs' names say it (lessons name their runs so), and the
                  // drop requests are what lessons 1 and 7 ask a class to read.
                  {1}};
  if (runs.empty()) return render_table(table, width);
  std::vector<trace::Metrics> metrics;
  for (const trace::Trace* t : runs) metrics.push_back(trace::compute_metrics(*t));
  bool several_gils = false;
  // Each measured run judged once against its prediction (the simulated run of its name), or
  // alone where it has none (--real-only): the rule of the comparison table decides its own
  // row's '!' and the '?' of every speed-up that divides by it (real::unscored_reason).
  std::map<std::size_t, std::optional<std::string>> unscored;
  const auto unscored_why = [&](std::size_t i) -> const std::optional<std::string>& {
    auto [at, added] = unscored.try_emplace(i);
    if (!added) return at->second;
    const trace::Trace& t = *runs[i];
    if (t.origin != trace::Origin::Measured) return at->second;
    const bool seen_too_little = !t.measured_by.empty() && cpython::too_little_seen(t).has_value();
    const auto predicted = std::find_if(runs.begin(), runs.end(), [&](const trace::Trace* p) {
      return p->origin == trace::Origin::Simulated && p->run_name == t.run_name;
    });
    const std::size_t p = static_cast<std::size_t>(predicted - runs.begin());
    at->second = real::unscored_reason(t, predicted == runs.end()
                                              ? real::judge_alone(t, seen_too_little)
                                              : real::judge(**predicted, metrics[p], t, metrics[i], seen_too_little));
    return at->second;
  };
  std::vector<std::size_t> marked;  // baselines some row's speed-up was marked for, in order
  const trace::Trace* unmeasured_baseline = nullptr;  // the first run, when a measured row has no baseline
  const trace::Trace* measured_baseline = nullptr;
  std::vector<std::string> unseen_runs;  // CPython runs whose figures the recorder did not see
  std::vector<std::string> unscored_rows;  // measured runs not scored, with why
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const trace::Trace& t = *runs[i];
    const trace::Metrics& m = metrics[i];
    const bool has_gil = m.gil_lanes > 0;
    several_gils |= m.gil_lanes > 1;
    // Like with like: a measured run against the first run measured the same way.
    const auto baseline = trace::speedup_baseline(runs, i);
    if (t.origin == trace::Origin::Measured) {
      if (!baseline) unmeasured_baseline = runs.front();
      else if (!measured_baseline) measured_baseline = runs[*baseline];
    }
    // A run that stopped early (a deadlock) has no speedup to speak of.
    std::string speedup_text = m.finished() && baseline ? trace::format_speedup(trace::speedup(metrics[*baseline], m)) : "-";
    if (m.finished() && baseline && *baseline != i && unscored_why(*baseline)) {
      speedup_text += real::kUnscoredBaselineMark;
      if (std::find(marked.begin(), marked.end(), *baseline) == marked.end()) marked.push_back(*baseline);
    }
    // A CPython run whose recording missed most of what its threads did: '-', not a 0 it never saw.
    const bool unseen = cpython::figures_not_seen(t);
    if (unseen) unseen_runs.push_back(trace::display_name(t));
    // A measured run not scored itself (a busy machine, off pace): its own row says so, not
    // only the comparison printed after the timelines.
    std::string makespan_text = format_time(m.makespan);
    if (const auto& why = unscored_why(i)) {
      makespan_text += real::kUnscoredRunMark;
      unscored_rows.push_back(fmt::format("'{}' ({})", trace::display_name(t), *why));
    }
    table.rows.push_back({trace::display_name(t), executor_label(t), makespan_text, speedup_text,
                          unseen ? "-" : percent(m.core_utilisation),
                          unseen ? "-" : gil_held_cell(m), has_gil && !unseen ? format_time(m.gil_wait_total) : "-",
                          // Grouped as the note and the lines under the table write counts ("80,000").
                          unseen ? "-" : trace::group_digits(m.gil_switches),
                          // A CPython run's drop requests are not seen (docs/cpython-traces.md).
                          t.measured_by.empty() ? trace::group_digits(m.drop_requests) : std::string("-")});
  }
  std::string out = render_table(table, width);
  const std::string header = out.substr(0, out.find('\n'));
  const bool held_shown = header.find("GIL held") != std::string::npos;
  const bool speedup_shown = header.find("speedup") != std::string::npos;
  const bool wait_shown = header.find("GIL wait") != std::string::npos;
  const int wrap = static_cast<int>(std::min<std::size_t>(width, 1000));
  // Which run a measured row's speedup divides, or why it has none, beside predictions
  // (measured runs alone divide the first, as predictions alone do).
  const bool beside_predictions = runs.front()->origin == trace::Origin::Simulated;
  const bool measured_speedups = speedup_shown && beside_predictions && (measured_baseline || unmeasured_baseline);
  // What the speedup divides and what GIL wait adds up, in the viewer's words (table_key.hpp):
  // lesson 1's threads wait 2.893 s in a 1.013 s run, lesson 3's pool is 0.0018x of asyncio.
  std::vector<std::string> key;
  if (speedup_shown && !measured_speedups) key.push_back(trace::speedup_key(trace::display_name(*runs.front())));
  const bool any_gil = std::any_of(metrics.begin(), metrics.end(), [](const trace::Metrics& m) { return m.gil_lanes > 0; });
  if (wait_shown && any_gil) key.emplace_back(trace::kGilWaitKey);
  if (!key.empty()) out += wrap_text(fmt::format("{}.", fmt::join(key, "; ")), wrap);
  // What "max" means, under a table that shows it.
  if (several_gils && held_shown) out += wrap_text(kGilHeldMaxNote, wrap);
  if (measured_speedups) {
    out += wrap_text(speedup_note(*runs.front(), measured_baseline, unmeasured_baseline != nullptr), wrap);
  }
  if (!unseen_runs.empty()) out += wrap_text(cpython::figures_not_seen_note(unseen_runs), wrap);
  if (!unscored_rows.empty()) out += wrap_text(real::unscored_runs_line(unscored_rows), wrap);
  if (speedup_shown) {
    for (const std::size_t b : marked) {
      out += wrap_text(real::unscored_baseline_line(trace::display_name(*runs[b]), *unscored_why(b)), wrap);
    }
  }
  return out;
}

std::string render_scenario_report(const scenario::Scenario& s, const std::vector<const trace::Trace*>& runs,
                                   const ReportOptions& options) {
  // The underline as long as the title reads in a terminal: columns, not UTF-8 bytes (a
  // Chinese character takes two).
  // A title wider than the terminal wraps, underlined as long as its widest line.
  const std::string title = wrap_text(s.title, options.width);
  std::size_t columns = 0;
  for (std::size_t at = 0; at < title.size();) {
    const std::size_t end = title.find('\n', at);
    columns = std::max(columns, scenario::terminal_columns(std::string_view(title).substr(at, end - at)));
    at = end + 1;
  }
  std::string out = fmt::format("{}{}\n", title, std::string(std::min<std::size_t>(columns, 80), '='));
  out += wrap_text(fmt::format("({}, {} job{}, seed {})", s.source, trace::group_digits(s.total_jobs()),
                               s.total_jobs() == 1 ? "" : "s", s.seed),
                   options.width);
  // What the command changed: the note's "4-core machine" is the file's, not `--set cores=2`'s;
  // a --set that every run overrides is said here, before the table shows the file's figures.
  for (const std::string& sentence : override_sentences(s, options.overrides, options.written)) out += wrap_text(sentence, options.width);
  out += "\n";
  if (!s.note.empty()) out += wrap_note(s.note, options.width) + "\n";
  out += render_run_table(runs, static_cast<std::size_t>(options.width));
  // What a measured mode changed in the predictions (this machine's cores, fitted costs),
  // right under the table whose figures it changed.
  if (!options.under_table.empty()) out += wrap_text(options.under_table, options.width);
  for (const trace::Trace* t : runs) {
    for (const auto& line : trace::outcome_lines(*t)) {
      out += wrap_text(fmt::format("{}: {}", trace::display_name(*t), line), options.width);
    }
    if (t->origin != trace::Origin::Measured) continue;
    // A measured run that kept what the model lost says why, from its own figures.
    const auto predicted = std::find_if(runs.begin(), runs.end(), [&](const trace::Trace* p) {
      return p->origin == trace::Origin::Simulated && p->run_name == t->run_name;
    });
    if (predicted == runs.end()) continue;
    if (const auto why = kept_updates_note(**predicted, *t, &s)) out += wrap_text(*why, options.width);
  }
  if (!options.timelines) return out;
  for (const trace::Trace* t : runs) {
    out += '\n';
    out += wrap_text(fmt::format("{} ({}, {}, {} at {})", trace::display_name(*t), executor_label(*t),
                                        fmt::format("{} core{}", t->cores, t->cores == 1 ? "" : "s"),
                                        trace::ended_in_deadlock(*t) ? "deadlocked" : "finished",
                                        no_break(format_time(t->end))),
                            options.width);
    out += render_text_timeline(*t, TimelineOptions{options.width, options.max_rows_per_kind});
  }
  return out;
}

}  // namespace gilsim::cli

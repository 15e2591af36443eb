// The CPython ground-truth suite's verdicts and tables: each row scored with the project's one
// prediction-error formula, the text table of the command and the generated page.
#include "bench/cpython_suite.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/cli/text_table.hpp"
#include "sim/real/model_twin.hpp"

namespace gilsim::fidelity {

// ---- scoring ----------------------------------------------------------------------------

RowResult score(const SuiteRow& row, Measurement measured, Prediction predicted) {
  RowResult r;
  r.row = &row;
  r.measured = std::move(measured);
  r.predicted = predicted;
  const auto& starved = r.measured.starved;
  const auto& off_pace = r.measured.off_pace;
  if (r.measured.values.empty()) {
    if (starved.empty() && off_pace.empty()) {
      r.verdict = Verdict::NotMeasured;
      r.reason = "not measured";
    } else if (off_pace.empty()) {
      r.verdict = Verdict::Starved;
      r.reason = fmt::format("not scored: every run was starved ({})", starved.front());
    } else if (starved.empty()) {
      r.verdict = Verdict::OffPace;
      r.reason = fmt::format("not scored: in every run the host's speed moved between the parts ({})", off_pace.front());
    } else {
      r.verdict = Verdict::Starved;
      r.reason = fmt::format("not scored: {} run(s) starved ({}), {} off pace ({})", starved.size(), starved.front(),
                             off_pace.size(), off_pace.front());
    }
    return r;
  }
  if (row.kind == RowKind::Race) {
    r.verdict = r.predicted.both_outcomes ? Verdict::Pass : Verdict::Outside;
    if (!r.predicted.both_outcomes) {
      r.reason = fmt::format("no read of the model's keeps the GIL under one of {} seeds and loses it under another",
                             row.model.seeds);
    }
  } else {
    // The one formula of the project (CLI, viewer, fidelity tables): (predicted - measured) / measured.
    r.error = real::prediction_error(r.predicted.value, r.measured.median());
    r.verdict = std::abs(r.error) <= tolerance(row.kind) + 1e-12 ? Verdict::Pass : Verdict::Outside;
  }
  if (r.verdict == Verdict::Outside) {
    // The one sentence for the table; the evidence (`why`) goes below it on the page.
    const std::string known = row.summary.empty() ? "not explained yet" : row.summary;
    r.reason = r.reason.empty() ? known : fmt::format("{}: {}", r.reason, known);
  }
  if (!starved.empty() || !off_pace.empty()) {
    std::vector<std::string> reasons;  // the first of each kind
    if (!starved.empty()) reasons.push_back(starved.front());
    if (!off_pace.empty()) reasons.push_back(off_pace.front());
    const std::size_t left_out = starved.size() + off_pace.size();
    r.left_out = fmt::format("{} of {} runs left out ({})", left_out, left_out + r.measured.values.size(),
                             fmt::join(reasons, "; "));
  }
  return r;
}

// ---- tables -----------------------------------------------------------------------------

std::string format_figure(RowKind kind, double value) {
  switch (kind) {
    case RowKind::Ratio: return fmt::format("{:.2f}x", value);
    case RowKind::Race: return fmt::format("{:.0f}% lost", 100.0 * value);
    case RowKind::Time:
    case RowKind::Tenure: break;
  }
  return format_time(Time{static_cast<std::int64_t>(std::llround(value * 1e9))});
}

std::string why_with_figures(const RowResult& r) {
  const std::string model = format_figure(r.row->kind, r.predicted.value);
  const std::string cpython =
      r.measured.values.empty() ? std::string("(not measured)") : format_figure(r.row->kind, r.measured.median());
  std::string text = r.row->why;
  for (const auto& [name, figure] : {std::pair<std::string_view, const std::string&>{kWhyModelFigure, model},
                                     std::pair<std::string_view, const std::string&>{kWhyCpythonFigure, cpython}}) {
    for (auto at = text.find(name); at != std::string::npos; at = text.find(name, at + figure.size())) {
      text.replace(at, name.size(), figure);
    }
  }
  return text;
}

namespace {

std::string verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Pass: return "ok";
    case Verdict::Outside: return "OUTSIDE";
    case Verdict::Starved: return "starved";
    case Verdict::OffPace: return "off pace";
    case Verdict::NotMeasured: return "-";
  }
  return "-";
}

/// What a row shows; "-" where nothing was measured or no error applies.
struct Cells {
  std::string measured{"-"}, spread, predicted, model_spread{"-"}, error{"-"};
};

Cells cells(const RowResult& r) {
  const RowKind kind = r.row->kind;
  const bool measured = !r.measured.values.empty();
  Cells c;
  if (measured) {
    c.spread = fmt::format("{} to {}", format_figure(kind, r.measured.low()), format_figure(kind, r.measured.high()));
  }
  if (r.predicted.seeds > 0) {  // the model's seeds, as CPython's runs: lowest to highest
    c.model_spread =
        fmt::format("{} to {}", format_figure(kind, r.predicted.low), format_figure(kind, r.predicted.high));
  }
  if (kind == RowKind::Race) {
    c.predicted = fmt::format("{} lost, {} kept", r.predicted.lost, r.predicted.kept);
    if (measured) c.measured = fmt::format("{} lost, {} kept", r.measured.lost, r.measured.kept);
    return c;
  }
  c.predicted = format_figure(kind, r.predicted.value);
  if (measured) {
    c.measured = format_figure(kind, r.measured.median());
    c.error = fmt::format("{:+.1f}%", 100.0 * r.error);
  }
  return c;
}

/// The reason column: the row's one-line reason, then the runs left out.
std::string reason_cell(const RowResult& r) {
  if (r.reason.empty() || r.left_out.empty()) return r.reason.empty() ? r.left_out : r.reason;
  return fmt::format("{} {}.", r.reason, r.left_out);  // the reason is a sentence with its full stop
}

/// A `why` as a paragraph: one line starting with a capital (unless it starts with a name such
/// as fork_start), ending with a full stop.
std::string paragraph(std::string text) {
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  const std::string first_word = text.substr(0, text.find_first_of(" ,:;("));
  const bool plain_word = std::all_of(first_word.begin(), first_word.end(),
                                      [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '\''; });
  if (!text.empty() && plain_word) text.front() = static_cast<char>(std::toupper(static_cast<unsigned char>(text.front())));
  if (!text.empty() && text.back() != '.') text += '.';
  return text;
}

/// How the model's side is a median over seeds, for the page's suite paragraph: the seeds most
/// rows run under (`model_seeds`), and the rows with their own.
std::string seeds_text(const std::vector<RowResult>& results) {
  std::map<int, int> rows_with;  // seeds -> rows
  for (const auto& r : results) ++rows_with[r.row->model.seeds];
  int most = 1, most_rows = 0;
  for (const auto& [seeds, rows] : rows_with) {
    if (rows > most_rows) std::tie(most, most_rows) = std::pair{seeds, rows};
  }
  std::vector<std::string> own;
  for (const auto& r : results) {
    if (r.row->model.seeds != most) own.push_back(fmt::format("\"{}\" under its {}", r.row->label, r.row->model.seeds));
  }
  const std::string others = own.empty() ? std::string() : fmt::format("; {}", fmt::join(own, ", "));
  return fmt::format(
      "The model's side is over seeds as CPython's is over runs. The model is stochastic where\n"
      "the host is (docs/model.md G6's pick of a waiter, G8's wake-up draws), so each row's\n"
      "model runs under {} seed{} (`model_seeds` in `fidelity/suite.toml`: the scenario's seed\n"
      "and the ones after it{}): the model's figure is the median of its seeds' figures and\n"
      "the model spread their lowest and highest (the race's, a seed's share of lost reads).\n"
      "Under one seed, as within one program run, a ratio divides that seed's own runs, and\n"
      "each run's figure is the mean over the cores' orders when the cores' speeds differ\n"
      "(S7). A row that no seed moves shows a spread of one figure.",
      most, most == 1 ? "" : "s", others);
}

/// The page's list of how the suite was measured: the command, the machine, the load, the
/// probes and the busy-machine check.
std::string how_measured(const RunInfo& info) {
  std::string md;
  md += fmt::format("- Command: `{}` ({:.0f} s for the whole suite).\n", info.command, info.seconds);
  if (!info.measurements.empty()) {
    const std::string suite = info.suite.empty() ? std::string() : fmt::format(" --suite {}", info.suite);
    md += fmt::format("- Measurements: `{0}` (every program's JSON line and the run's own figures).\n"
                      "  This page is a function of them and of today's model and suite: after a change to\n"
                      "  either, `build/gilsim_fidelity --cpython --replay {0}{1}` writes it again (no\n"
                      "  Python runs); a new measurement is the command above, which writes both.\n",
                      info.measurements, suite);
  }
  md += fmt::format("- CPython {}; machine: {}.\n", info.python, info.machine);
  md += fmt::format("- Each program ran {} time(s), the programs taking turns; the figure is the median of the\n"
                    "  runs that got their cores, the spread the lowest and highest of them.\n",
                    info.repeat);
  md += fmt::format("- Load average (1, 5, 15 min) before the suite: {}; after: {}; the highest 1-minute\n"
                    "  load a program saw: {:.2f}.\n",
                    info.load_before, info.load_after, info.highest_load);
  if (!info.scheduling.empty()) md += fmt::format("- Scheduling: {}.\n", info.scheduling);
  if (!info.core_speeds.empty()) {
    md += fmt::format("- Each CPU's speed (`fidelity/cpython/cpu_speeds.py`, a loop pinned to each CPU in turns\n"
                      "  before each round of programs, its median turn):\n  {}.\n"
                      "  The model's machine has these relative speeds (docs/model.md S7), and under each seed\n"
                      "  a run's figure is the mean over the cores' orders, as the programs' figures are summed\n"
                      "  over turns on either CPU; the prediction is then the median over the seeds (see The\n"
                      "  suite).\n",
                      info.core_speeds);
  }
  if (!info.wake_latencies.empty()) {
    md += fmt::format("- How fast an idle CPU wakes a signalled thread (`fidelity/cpython/wake_latency.py`, before\n"
                      "  each round: a waiter pinned to one CPU whose timed wait of about 0.1, 1, 5 or 20 ms ran\n"
                      "  out, that ran and blocked again, signalled at once from the other CPU, as a GIL waiter\n"
                      "  is: the median wake-up of its samples, 10th to 90th percentile; the whole hand-off, the\n"
                      "  waiter's own signal of the blocked signaller included, as in a GIL hand-off; the\n"
                      "  wake-up of a waiter blocked all along; and how late a timed wait of 1, 5 or 20 ms with\n"
                      "  nobody signalling ran, after a turn of computing as long, nothing subtracted):\n  - {}.\n{}",
                      fmt::join(info.wake_latencies, ";\n  - "),
                      info.wake_fit
                          ? "  Each round's predictions have the model's halted-core wake-up (docs/model.md G8) and\n"
                            "  its timed wait's slack and wake-up (G2a) fitted to that round's\n"
                            "  (`scenario::fit_to_machine`), and a row's prediction is the median of those of the\n"
                            "  rounds whose runs it kept, each a median over the seeds, its spread from the lowest to\n"
                            "  the highest seed of any of them (`--wake-fit`).\n"
                          : "  The model kept its default wake-up laws (docs/model.md G2a says why; `--wake-fit`\n"
                            "  would fit them to each round's).\n");
  }
  if (!info.process_starts.empty()) {
    md += fmt::format("- How long python3 took to start a process (`os.fork()`, the child's exit and the parent's\n"
                      "  wait, the median of 20 before each round, lowest to highest): {}. The pool rows'\n"
                      "  CPython figures include such starts; the model charges its own `costs.fork_start`\n"
                      "  (docs/model.md P4).\n",
                      fmt::join(info.process_starts, "; "));
    if (!info.start_fit_note.empty()) {
      md += fmt::format("  The model's process start costs were fitted to the median of the rounds' fastest\n"
                        "  starts, {} (docs/model.md P4e: each cost's kernel share follows the probe, the rest\n"
                        "  is kept).\n",
                        info.start_fit_note);
    }
  }
  md += "- Busy-machine check: before each program, two busy threads (scheduled as the programs\n"
        "  are) measure how many cores are free, and each measured section must find at least 75 %\n"
        "  of the cores it needs free (a timer one, a GIL hand-off or a pool two); a section that\n"
        "  keeps cores busy must also show CPU time (process_time, reaped children included) of at\n"
        "  least 75 % of those cores x its wall time. Where a late wake-up or a lost time slice\n"
        "  would spoil a figure, the section also says how much the machine disturbed it, within\n"
        "  its own limit: GIL tenures, the larger of the part of the holder's held time the kernel\n"
        "  preempted it (a tenure's end falls inside a preemption with that probability, whatever\n"
        "  its length) and the share of tenures longer than the interval by over 1 ms (a waiter\n"
        "  woken late, after a time slice of other work), at most a third (a disturbance only\n"
        "  lengthens a tenure, so the median then stays between the undisturbed tenures' median and\n"
        "  75th percentile); the CPU-bound loops and pools, how long their jobs were runnable but\n"
        "  waiting for a CPU (the kernel's schedstat), at most 5 % of the busy time. A run that\n"
        "  fails a check is left out of its rows (the reason column says so), and a row with no\n"
        "  run left is marked *starved*, not scored.\n";
  md += fmt::format("- Pace check: the host's speed of Python's loop jumps between levels within seconds, which\n"
                    "  the sections' turns do not cancel, so each section a CPU-bound ratio divides gives its\n"
                    "  pace, its jobs' CPU time per planned loop (thread_time in the thread or worker that ran\n"
                    "  them), and a run whose two paces differ by more than {:.0f} % (the off-pace tolerance of\n"
                    "  `gilsim run --cpython`, `trace::CpuCheck::kPaceTolerance`) is left out of the row; a\n"
                    "  row with no run left, all for that, is marked *off pace*, not scored.\n\n",
                    trace::CpuCheck::kPaceTolerance * 100);
  return md;
}

}  // namespace

std::vector<std::string> class_lines(const std::vector<RowResult>& results) {
  struct Effect {
    std::string name;
    std::vector<std::string> confirmed, lessons;
    int rows = 0;
  };
  std::vector<Effect> effects;  // in the rows' order
  std::vector<std::string> care;
  std::vector<std::pair<std::string, int>> unscored, off_pace;  // per effect, in the rows' order
  std::size_t unscored_rows = 0;
  const auto count = [](std::vector<std::pair<std::string, int>>& per_effect, const std::string& effect) {
    if (per_effect.empty() || per_effect.back().first != effect) per_effect.emplace_back(effect, 0);
    ++per_effect.back().second;
  };
  for (const auto& r : results) {
    auto effect = std::find_if(effects.begin(), effects.end(), [&](const Effect& e) { return e.name == r.row->effect; });
    if (effect == effects.end()) effect = effects.insert(effects.end(), Effect{r.row->effect, {}, {}, 0});
    ++effect->rows;
    const std::string& lesson = r.row->lesson_title;
    if (!lesson.empty() && std::find(effect->lessons.begin(), effect->lessons.end(), lesson) == effect->lessons.end()) {
      effect->lessons.push_back(lesson);
    }
    switch (r.verdict) {
      case Verdict::Pass: effect->confirmed.push_back(r.row->label); break;
      case Verdict::Outside: care.push_back(fmt::format("- {}, \"{}\": {}", r.row->effect, r.row->label, r.reason)); break;
      case Verdict::Starved:
      case Verdict::NotMeasured:
        ++unscored_rows;
        count(unscored, r.row->effect);
        break;
      case Verdict::OffPace:
        ++unscored_rows;
        count(off_pace, r.row->effect);
        break;
    }
  }
  std::vector<std::string> lines;
  const bool any_confirmed = std::any_of(effects.begin(), effects.end(), [](const Effect& e) { return !e.confirmed.empty(); });
  if (any_confirmed) {
    lines.push_back("CPython on this machine confirms these effects as the model shows them (rows within tolerance):");
    for (const Effect& e : effects) {
      if (e.confirmed.empty()) continue;
      const std::string count = static_cast<int>(e.confirmed.size()) == e.rows
                                    ? (e.rows <= 2 ? std::string(e.rows == 1 ? "its row" : "both rows")
                                                   : fmt::format("all {} rows", e.rows))
                                    : fmt::format("{} of {} rows", e.confirmed.size(), e.rows);
      const std::string lessons =
          e.lessons.empty() ? std::string()
                            : fmt::format(", for lesson{} \"{}\"", e.lessons.size() == 1 ? "" : "s", fmt::join(e.lessons, "\", \""));
      lines.push_back(fmt::format("- {}{}: {} ({}).", e.name, lessons, count, fmt::join(e.confirmed, "; ")));
    }
  } else if (unscored_rows < results.size()) {
    lines.push_back("CPython on this machine confirmed no effect as the model shows it in this run.");
  }
  if (!care.empty()) {
    lines.push_back("Present these rows with care: CPython and the model differ, for the reason given.");
    lines.insert(lines.end(), care.begin(), care.end());
  }
  const auto listed = [](const std::vector<std::pair<std::string, int>>& per_effect) {
    std::vector<std::string> parts;
    for (const auto& [effect, rows] : per_effect) parts.push_back(fmt::format("{} ({} row{})", effect, rows, rows == 1 ? "" : "s"));
    return fmt::format("{}", fmt::join(parts, "; "));
  };
  if (unscored_rows == results.size()) {
    lines.push_back("Nothing was scored: no row has a measurement to compare with the model.");
  } else {
    if (!unscored.empty()) {
      lines.push_back(fmt::format("Not scored in this run, the machine too busy to measure them: {}.", listed(unscored)));
    }
    if (!off_pace.empty()) {
      lines.push_back(fmt::format("Not scored in this run, the host's speed moving between the parts they compare: {}.",
                                  listed(off_pace)));
    }
  }
  return lines;
}

std::string render_text(const std::vector<RowResult>& results) {
  cli::TextTable table;
  table.headers = {"effect", "row", "kind", "CPython (median)", "spread", "model (median)", "model spread", "error", "verdict"};
  table.right_aligned = {false, false, false, true, true, true, true, true, false};
  for (const auto& r : results) {
    const Cells c = cells(r);
    table.rows.push_back({r.row->effect, r.row->label, std::string(to_string(r.row->kind)), c.measured, c.spread, c.predicted,
                          c.model_spread, c.error, verdict_name(r.verdict)});
  }
  std::string text = cli::render_table(table);
  for (const auto& r : results) {
    const std::string reason = reason_cell(r);
    if (!reason.empty()) text += fmt::format("  {} / {}: {}\n", r.row->effect, r.row->label, reason);
  }
  return text;
}

std::string markdown_paragraphs(const std::vector<std::string>& lines) {
  std::string md;
  bool in_list = false;
  for (const std::string& line : lines) {
    const bool item = line.rfind("- ", 0) == 0;
    if (!item && in_list) md += "\n";
    md += line + (item ? "\n" : "\n\n");
    in_list = item;
  }
  if (in_list) md += "\n";
  return md;
}

std::string render_markdown(const std::vector<RowResult>& results, const RunInfo& info) {
  std::string md;
  md += "# The model against CPython: the ground-truth suite\n\n";
  md += "<!-- Generated by gilsim_fidelity --cpython; do not edit by hand. -->\n\n";
  md += "## What this means for a class\n\n";
  md += markdown_paragraphs(class_lines(results));
  md += "The rest of the page says how each figure was measured and why each row outside is known to\n"
        "differ.\n\n## The suite\n\n";
  md += fmt::format(
      "Each row runs a small Python program of `fidelity/cpython/` with CPython and compares one\n"
      "of its figures with the model's prediction for the scenario of `fidelity/scenarios/` that\n"
      "states the same workload (the pairs are listed in `fidelity/suite.toml`). CPU-bound rows\n"
      "compare ratios measured within one run, the sections taking turns (A B B A) so that the\n"
      "machine's drift cancels, and a loop's turns pinned half to each CPU, since the two CPUs of\n"
      "a virtual machine need not run at one speed; a run whose compared sections ran Python at\n"
      "paces more than {:.0f} % apart (the host's speed jumps between levels, which turns do not\n"
      "cancel) is left out; timer and I/O rows compare times; GIL tenure\n"
      "rows compare the median tenure. The error is the project's one formula, (predicted -\n"
      "measured) / measured, on the two medians, CPython's and the model's. Tolerances: times and\n"
      "ratios within 10 %, GIL tenure within 1 %; the ready-pipe race passes when the model shows\n"
      "both outcomes (a read that keeps the GIL, one that loses an interval) across seeds.\n\n{}\n\n",
      trace::CpuCheck::kPaceTolerance * 100, seeds_text(results));
  md += "## How it was measured\n\n";
  if (!info.measured) {
    md += fmt::format("No CPython ran: `{}` wrote this page with the model's predictions alone, on {}, every\n"
                      "core at speed 1.0 and the model's default wake-up laws. The measured page is written by\n"
                      "`build/gilsim_fidelity --cpython`.\n\n",
                      info.command, info.machine);
  } else {
    md += how_measured(info);
  }
  md += "## The programs and their scenarios\n\n";
  md += "| program (`fidelity/cpython/`) | paired scenarios (`fidelity/scenarios/`) | rows |\n|---|---|---:|\n";
  std::vector<std::pair<std::string, std::vector<std::string>>> pairs;  // in the rows' order
  std::map<std::string, int> rows_of;
  for (const auto& r : results) {
    auto found = std::find_if(pairs.begin(), pairs.end(), [&](const auto& p) { return p.first == r.row->program; });
    if (found == pairs.end()) found = pairs.insert(pairs.end(), {r.row->program, {}});
    if (std::find(found->second.begin(), found->second.end(), r.row->scenario) == found->second.end()) {
      found->second.push_back(r.row->scenario);
    }
    ++rows_of[r.row->program];
  }
  for (const auto& [program, scenarios] : pairs) {
    md += fmt::format("| `{}` | `{}` | {} |\n", program, fmt::join(scenarios, "`, `"), rows_of[program]);
  }
  md += "\n## Results\n\n";
  md += "| effect | row | kind | CPython (median) | spread | model (median) | model spread | error | verdict | reason |\n";
  md += "|---|---|---|---:|---:|---:|---:|---:|---|---|\n";
  int passed = 0, outside = 0, starved_rows = 0;
  for (const auto& r : results) {
    const Cells c = cells(r);
    md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", r.row->effect, r.row->label,
                      to_string(r.row->kind), c.measured, c.spread, c.predicted, c.model_spread, c.error,
                      verdict_name(r.verdict), reason_cell(r));
    passed += r.verdict == Verdict::Pass;
    outside += r.verdict == Verdict::Outside;
    starved_rows += r.verdict == Verdict::Starved || r.verdict == Verdict::OffPace || r.verdict == Verdict::NotMeasured;
  }
  md += fmt::format("\n{} of {} rows within their tolerance, {} outside, {} not scored.\n\n", passed, results.size(),
                    outside, starved_rows);
  md += "## Why each row outside differs: the evidence\n\n";
  if (outside == 0) {
    md += "No row is outside its tolerance.\n";
  } else {
    md += "For each row outside its tolerance, what was measured and traced to explain it (`why` in\n"
          "`fidelity/suite.toml`; its one-sentence summary is the reason above). Rows of one effect\n"
          "with the same evidence share a paragraph.\n";
    // (effect, why) -> the labels of its rows outside, in the rows' order.
    struct Explained {
      const SuiteRow* row;
      std::string why;
      std::vector<std::string> labels;
    };
    std::vector<Explained> explained;
    std::vector<std::string> unexplained;
    for (const auto& r : results) {
      if (r.verdict != Verdict::Outside) continue;
      if (r.row->why.empty()) {
        unexplained.push_back(fmt::format("{}: {}", r.row->effect, r.row->label));
        continue;
      }
      // Rows share a paragraph when their whys read the same once their figures are in.
      std::string why = why_with_figures(r);
      auto same = std::find_if(explained.begin(), explained.end(), [&](const auto& e) {
        return e.row->effect == r.row->effect && e.why == why;
      });
      if (same == explained.end()) same = explained.insert(explained.end(), {r.row, std::move(why), {}});
      same->labels.push_back(r.row->label);
    }
    for (const auto& e : explained) {
      md += fmt::format("\n### {}: {}\n\n{}\n", e.row->effect, fmt::join(e.labels, "; "), paragraph(e.why));
    }
    if (!unexplained.empty()) md += fmt::format("\nNot explained yet: {}.\n", fmt::join(unexplained, "; "));
  }
  return md;
}

}  // namespace gilsim::fidelity

// Measured runs for `gilsim run --real`, and the prediction-against-measurement table.
#include "sim/cli/measured_runs.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/cli/text_table.hpp"
#include "sim/cpython/cpython_trace.hpp"
#include "sim/cli/text_wrap.hpp"
#include "sim/cli/run_selection.hpp"
#include "sim/real/execute.hpp"
#include "sim/real/judgement.hpp"
#include "sim/real/machine_load.hpp"
#include "sim/real/model_twin.hpp"
#include "sim/scenario/name_suggestions.hpp"
#include "sim/trace/metrics.hpp"
#include "sim/trace/outcomes.hpp"

namespace gilsim::cli {

std::optional<trace::Trace> measure_run(const scenario::Scenario& s, const scenario::Run& run,
                                        const MeasureOptions& options, std::string& why) {
  if (auto reason = real::why_not_runnable(s, run)) {
    why = *reason;
    return std::nullopt;
  }
  const real::InterruptScope interrupt_scope;
  real::ExecuteOptions execute;
  execute.timeout = Time::from_seconds(options.timeout_seconds);
  execute.cancel = &real::interrupt_flag();
  std::ostream* progress = options.progress;
  if (progress != nullptr) {
    execute.progress = [&](int done, int total) {
      *progress << fmt::format("\rmeasuring '{}': {}/{} jobs done ", run.name, trace::group_digits(done),
                               trace::group_digits(total))
                << std::flush;
    };
  }
  try {
    trace::Trace measured = real::execute(s, run, execute);
    if (progress != nullptr) *progress << "\r" << std::string(60, ' ') << "\r" << std::flush;
    if (real::interrupt_flag()) throw Interrupted(fmt::format("interrupted after the real run '{}'", run.name));
    return measured;
  } catch (const real::RealRunError& e) {
    if (progress != nullptr) *progress << "\n";
    using Reason = real::RealRunError::Reason;
    if (e.reason() == Reason::NotRunnable) {
      why = e.what();
      return std::nullopt;
    }
    if (e.reason() == Reason::Cancelled) {
      throw Interrupted(fmt::format("interrupted during the real run '{}'; every thread and worker process was stopped",
                                    run.name));
    }
    // execute()'s own messages name the run and, for a time-out, say that everything it
    // started was stopped; a worker's failure says neither.
    if (e.reason() == Reason::TimedOut) throw std::runtime_error(fmt::format("{} (--timeout sets the limit)", e.what()));
    if (e.reason() == Reason::WorkerFailed) {
      throw std::runtime_error(fmt::format("the real run '{}' failed: {}; every thread and worker process was stopped",
                                           run.name, e.what()));
    }
    throw std::runtime_error(fmt::format("{}; every thread and worker process was stopped", e.what()));
  }
}

std::string pace_note(const trace::Trace& measured) {
  const trace::CpuCheck& c = measured.cpu_check;
  const double off = c.pace() - 1;
  return fmt::format("off pace: during '{}' the CPU ran {} than calibrated ({} of CPU for {} of planned "
                     "compute(); this host's speed drifts), so the run did its work in {} time and its error is not "
                     "the model's. Compare with care; measure it again.",
                     measured.run_name, trace::pace_difference(c), format_time(c.compute_took),
                     format_time(c.planned_compute), off > 0 ? "more" : "less");
}

std::string executor_cost_note(const trace::Trace& measured, Time planned) {
  const Time got = measured.cpu_check.got;
  return fmt::format("executor: '{}' used {} of CPU where the model's run computes for {}: the other {} ({:.0f}%) "
                     "was the real executor's own work beside the planned steps (a clock read and a record at each "
                     "step, starting threads and processes, copying data through pipes), which a run of many tiny "
                     "steps or big messages feels most; so that part of its error is the executor's, not the model's.",
                     measured.run_name, format_time(got), format_time(planned), format_time(got - planned),
                     100.0 * static_cast<double>((got - planned).ns()) / static_cast<double>(got.ns()));
}

std::pair<Time, Time> jobs_together(const trace::Trace& t, const std::vector<std::uint32_t>& jobs) {
  std::vector<std::pair<Time, int>> edges;  // +1 at a start, -1 at an end
  for (const std::uint32_t j : jobs) {
    if (j >= t.jobs.size() || t.jobs[j].end == Time::max() || t.jobs[j].begin == Time::max()) continue;
    edges.emplace_back(t.jobs[j].begin, 1);
    edges.emplace_back(t.jobs[j].end, -1);
  }
  if (edges.empty()) return {Time::zero(), Time::zero()};
  std::sort(edges.begin(), edges.end());  // at one instant, an end (-1) before a start
  Time together = Time::zero();
  int running = 0;
  for (std::size_t k = 0; k < edges.size(); ++k) {
    if (running >= 2) together += edges[k].first - edges[k - 1].first;
    running += edges[k].second;
  }
  return {together, edges.back().first - edges.front().first};
}

namespace {

/// The jobs of `t` whose template updates counter `counter` of `s`.
std::vector<std::uint32_t> jobs_updating(const trace::Trace& t, const scenario::Scenario& s, std::size_t counter) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t j = 0; j < t.jobs.size(); ++j) {
    const auto template_index = t.jobs[j].template_index;
    if (template_index >= s.jobs.size()) continue;
    const auto& steps = s.jobs[template_index].steps;
    if (std::any_of(steps.begin(), steps.end(), [&](const scenario::Step& step) {
          return step.kind == scenario::StepKind::Increment && step.target == counter;
        })) {
      out.push_back(j);
    }
  }
  return out;
}

/// What a CPython recording that did not see the updates' switches says instead: how long the
/// jobs that update the counter ran together, measured and predicted.
std::string unseen_switches_note(const trace::Trace& predicted, const trace::Trace& measured, const scenario::Scenario& s,
                                 std::size_t counter, const std::string& kept) {
  const std::string& name = measured.counters[counter].name;
  const auto updating = jobs_updating(measured, s, counter);
  const auto [together, span] = jobs_together(measured, updating);
  const auto [model_together, model_span] = jobs_together(predicted, jobs_updating(predicted, s, counter));
  const std::string program = std::filesystem::path(s.source).filename().string();
  return fmt::format(
      "{}: {}. The recorder does not see `{} += ...` run, so it cannot count the switches that could lose an update; "
      "it sees when each job started and ended: the {} jobs that update {} ran at the same time for {} of the {} from "
      "the first's start to the last's end (in the model, {} of {}). An update is lost only when a thread is switched "
      "out between its load and its store while another thread updates {}: jobs that run one after the other lose "
      "none, and on a busy machine a new thread can wait for a core longer than a job takes. The recorder adds "
      "nothing inside these jobs (a note at each one's start and end), so the plain program (`gilsim python {} > "
      "program.py; python3 program.py`) does the same on this machine; run it again.",
      trace::display_name(measured), kept, name, updating.size(), name, format_time(together), format_time(span),
      format_time(model_together), format_time(model_span), name, program.empty() ? std::string("FILE") : program);
}

}  // namespace

std::optional<std::string> kept_updates_note(const trace::Trace& predicted, const trace::Trace& measured,
                                             const scenario::Scenario* s) {
  std::vector<std::string> kept;  // "kept every update of counter, where the model lost 28,934"
  std::optional<std::size_t> first_kept;
  for (std::size_t i = 0; i < predicted.counters.size() && i < measured.counters.size(); ++i) {
    const std::int64_t model_lost = predicted.counters[i].lost();
    const std::int64_t lost = measured.counters[i].lost();
    if (model_lost <= 0 || 2 * lost > model_lost) continue;
    if (!first_kept) first_kept = i;
    kept.push_back(lost <= 0 ? fmt::format("kept every update of {}, where the model lost {}", measured.counters[i].name,
                                           trace::group_digits(model_lost))
                             : fmt::format("lost {} updates of {}, where the model lost {}", trace::group_digits(lost),
                                           measured.counters[i].name, trace::group_digits(model_lost)));
  }
  if (kept.empty()) return std::nullopt;
  // Its switches were not seen: no count of them to compare, never a 0 it did not see.
  if (cpython::figures_not_seen(measured)) {
    if (s == nullptr) return std::nullopt;
    return unseen_switches_note(predicted, measured, *s, *first_kept, fmt::format("{}", fmt::join(kept, "; ")));
  }
  const auto pm = trace::compute_metrics(predicted);
  const auto mm = trace::compute_metrics(measured);
  // A CPython recording infers its GIL lanes and sees no forced switch (docs/cpython-traces.md).
  const bool recorded = !measured.measured_by.empty();
  const std::int64_t model_switches = recorded ? pm.gil_switches : pm.forced_switches;
  const std::int64_t switches = recorded ? mm.gil_switches : mm.forced_switches;
  if (switches >= model_switches) return std::nullopt;  // then fewer switches are not the reason
  return fmt::format(
      "{}: {}: {} {} time{} against {} predicted. An update is lost only when a thread is switched out between "
      "its load and its store; fewer switches, fewer chances to lose one (on a busy machine a waiting thread "
      "wakes late and the holder keeps the GIL). The model's loss is what the code allows; run it again.",
      trace::display_name(measured), fmt::join(kept, "; "),
      recorded ? "its GIL changed hands" : "its threads were forced off the GIL", trace::group_digits(switches),
      switches == 1 ? "" : "s", trace::group_digits(model_switches));
}

std::string pool_switches_note(const std::vector<std::string>& runs, PoolSwitchesOrigin origin) {
  const std::string names =
      runs.size() == 1 ? runs[0]
                       : fmt::format("{} and {}", fmt::join(runs.begin(), runs.end() - 1, ", "), runs.back());
  if (origin == PoolSwitchesOrigin::CPython) {
    return fmt::format("switches of {}: not comparable. Both count the parent's GIL changing hands (each worker's GIL "
                       "has one thread). The model's parent has Pool's worker, task and result handler threads, which "
                       "take the GIL for every task and result; CPython's Pool has them too, but they run no "
                       "compute(), so the recorder does not see them take the GIL and counts fewer switches.",
                       names);
  }
  return fmt::format("switches of {}: not comparable. Both count the parent's GIL changing hands (each worker's GIL "
                     "has one thread). The model's parent has Pool's worker handler, which takes the GIL for every "
                     "result, beside the task and result handlers; the real executor's parent has no worker handler, "
                     "so it counts fewer switches.",
                     names);
}

bool old_gil_switches_differ(const trace::Trace& measured) {
  return measured.origin == trace::Origin::Measured && measured.measured_by.empty() && measured.gil_mode == "old" &&
         measured.cores > 1;
}

std::string old_gil_switches_note(const std::vector<std::string>& runs) {
  return fmt::format("switches of {}: not comparable. The model's old GIL goes to a waiter when the waiter wins the "
                     "race for the released lock, with an estimated probability a release (O3, "
                     "costs.old_gil_handoff_probability): its times are calibrated on CPython 2's old GIL as Beazley "
                     "measured it, not its count of hand-offs. The real executor's old GIL is a lock released and at "
                     "once re-taken (O2), which a waiter wins as often as this machine's scheduler lets it.",
                     scenario::quoted_and_list(runs));
}

/// A real thread takes the GIL for a few microseconds between two calls that release it; the
/// model's takes there last 0 ns. Holds shorter than this are that, not Python work.
constexpr Time kBriefHold{10'000};

/// Why a measured run switched more often than predicted, where its brief holds are the
/// difference: how many of each side's switches went to one.
std::optional<std::string> brief_holds_note(const trace::Trace& predicted, std::int64_t predicted_switches,
                                            const trace::Trace& measured, std::int64_t measured_switches) {
  // A few more, or a tenth more, is the run's own variation: no line for it.
  const std::int64_t more = measured_switches - predicted_switches;
  if (more <= 2 || 10 * more <= predicted_switches) return std::nullopt;
  const std::int64_t brief = trace::gil_switches_to_holds_under(measured, kBriefHold);
  const std::int64_t model_brief = trace::gil_switches_to_holds_under(predicted, kBriefHold);
  // Brief holds are the difference only where they make at least half of it: a switch into
  // one is followed by a switch out, which the run may have made anyway.
  if (2 * (brief - model_brief) < more) return std::nullopt;
  return fmt::format(
      "switches of '{}': {} of the {} measured handed the GIL to a thread that kept it under {} (in the model, {} "
      "of {}). A real thread takes the GIL for a few microseconds between two calls that release it (starting, "
      "returning from one call, making the next); the model's thread takes it there for 0 ns where no cpu step "
      "comes between the calls, which draws no hold and counts no switch.",
      measured.run_name, trace::group_digits(brief), trace::group_digits(measured_switches), format_time(kBriefHold),
      trace::group_digits(model_brief), trace::group_digits(predicted_switches));
}

std::string render_prediction_table(const std::vector<const trace::Trace*>& predicted,
                                    const std::vector<const trace::Trace*>& measured,
                                    const std::map<std::string, std::string>& unscored, int width) {
  TextTable table;
  table.headers = {"run", "predicted", "measured", "error", "switches (pred/meas)", "GIL wait (pred/meas)"};
  table.right_aligned = {false, true, true, true, true, true};
  std::vector<std::string> short_runs;
  std::vector<std::string> not_scored;  // each unscored run's note, in the rows' order (the file's)
  std::vector<std::string> unexplained;  // scored runs outside the tolerance that no cause explains
  std::vector<std::string> pools;  // measured Pool.map runs, whose switches count fewer threads
  std::vector<std::string> recorded_pools;  // those recorded in CPython, where the handlers go unseen
  std::vector<std::string> old_gils;  // measured old-GIL runs on several cores, whose hand-offs are not the model's draws
  std::vector<std::string> brief_holds;  // runs whose extra switches are holds of a few microseconds
  for (const trace::Trace* m : measured) {
    const auto p = std::find_if(predicted.begin(), predicted.end(),
                                [&](const trace::Trace* t) { return t->run_name == m->run_name; });
    if (p == predicted.end()) continue;
    const auto pm = trace::compute_metrics(**p);
    const auto mm = trace::compute_metrics(*m);
    // One judgement for the command line, the viewer and the fidelity page (real::judge): a
    // run that stopped before its last job (a deadlock) has no makespan, where an error would
    // compare two moments of deadlock; a run that other programs starved of its cores
    // measured the machine's load; outside the tolerance, CPU time well beyond the planned
    // work is the executor's own, and a CPU off its calibrated speed did more or less work
    // per second than planned. Within it, the error is shown whatever the run did.
    const auto note = unscored.find(m->run_name);
    const bool seen_too_little = note != unscored.end();
    const real::Judgement judged = real::judge(**p, pm, *m, mm, seen_too_little);
    if (seen_too_little) not_scored.push_back(fmt::format("'{}': {}", m->run_name, note->second));
    if (judged.stopped != real::Stopped::none) not_scored.push_back(real::stopped_note(m->run_name, judged));
    if (!seen_too_little && judged.starved) not_scored.push_back(fmt::format("'{}': {}", m->run_name, *judged.starved));
    if (!seen_too_little && judged.executor) {
      short_runs.push_back(executor_cost_note(*m, judged.planned_cpu));
    }
    if (!seen_too_little && judged.off_pace) short_runs.push_back(pace_note(*m));
    if (judged.scored() && !m->cpu_check.native_over() &&
        std::abs(judged.error) > real::kErrorTolerance) {
      unexplained.push_back(fmt::format("'{}' ({:+.1f}%)", m->run_name, 100.0 * judged.error));
    }
    const std::string cell = real::error_cell(judged);
    const bool pool = m->executor == "process_pool";
    if (old_gil_switches_differ(*m)) old_gils.push_back(m->run_name);
    // Not seen by the recorder: '-', as in the run table (cpython::figures_not_seen).
    const bool unseen = cpython::figures_not_seen(*m);
    if (pool && !unseen) (m->measured_by.empty() ? pools : recorded_pools).push_back(fmt::format("'{}'", m->run_name));
    std::optional<std::string> brief;
    if (!pool && !unseen && !old_gil_switches_differ(*m)) brief = brief_holds_note(**p, pm.gil_switches, *m, mm.gil_switches);
    if (brief) brief_holds.push_back(*brief);
    table.rows.push_back({trace::display_name(**p), format_time(pm.makespan), format_time(mm.makespan),
                          cell,
                          unseen ? fmt::format("{} / -", trace::group_digits(pm.gil_switches))
                                 : fmt::format("{} / {}{}", trace::group_digits(pm.gil_switches),
                                               trace::group_digits(mm.gil_switches),
                                               pool || old_gil_switches_differ(*m) || brief ? "+" : ""),
                          fmt::format("{} / {}", format_time(pm.gil_wait_total),
                                      unseen ? std::string("-") : format_time(mm.gil_wait_total))});
  }
  if (table.rows.empty()) return {};
  std::string notes;
  for (const auto& line : not_scored) notes += line + "\n";
  for (const auto& line : short_runs) notes += "* " + line + "\n";
  for (const trace::Trace* m : measured) {  // native steps that did other work than the plan's
    if (m->cpu_check.native_over()) notes += real::native_pace_note(*m) + "\n";
  }
  if (!unexplained.empty()) {
    // An error outside the tolerance says something, even where nothing seen here explains it.
    notes += fmt::format("{}: outside the {:.0f}% tolerance, with none of the causes gilsim looks for seen in it. "
                         "A run of a second can vary by several percent from one try to the next on a shared "
                         "machine: run it again; docs/fidelity.md says what the model leaves out.\n",
                         fmt::join(unexplained, ", "), 100.0 * real::kErrorTolerance);
  }
  if (!pools.empty()) notes += "+ " + pool_switches_note(pools) + "\n";
  if (!recorded_pools.empty()) notes += "+ " + pool_switches_note(recorded_pools, PoolSwitchesOrigin::CPython) + "\n";
  if (!old_gils.empty()) notes += "+ " + old_gil_switches_note(old_gils) + "\n";
  for (const auto& line : brief_holds) notes += "+ " + line + "\n";
  return wrap_text("Predicted against measured (error = (predicted - measured) / measured: negative where the run took "
                   "longer than predicted):",
                   width) +
         render_table(table, static_cast<std::size_t>(width)) + wrap_text(notes, width);
}

}  // namespace gilsim::cli

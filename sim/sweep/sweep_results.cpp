// Simulating a sweep's tasks and summarising them over seeds.
#include "sim/sweep/sweep_results.hpp"

#include <cmath>

#include <fmt/format.h>

#include "sim/model/simulate.hpp"
#include "sim/scenario/name_suggestions.hpp"
#include "sim/trace/metrics.hpp"
#include "sim/trace/outcomes.hpp"

namespace gilsim::sweep {

namespace {

RunFigures figures_of(const trace::Metrics& baseline, const trace::Trace& t, const trace::Metrics& m) {
  RunFigures f;
  f.makespan_ns = m.makespan.ns();
  // As gilsim run's table: a run that stopped early (a deadlock) has no speed-up to speak of.
  f.finished = m.finished() ? 1 : 0;
  f.deadlocked = !m.finished() && trace::ended_in_deadlock(t) ? 1 : 0;
  f.speedup = m.finished() && baseline.finished() ? trace::speedup(baseline, m) : std::nan("");
  f.cores_busy = m.core_utilisation;
  f.gil_held = m.gil_lanes > 0 ? m.gil_held : -1.0;
  f.gil_lanes = m.gil_lanes;
  f.gil_wait_ns = m.gil_wait_total.ns();
  f.switches = m.gil_switches;
  f.jobs_done = m.jobs_done;
  if (!t.counters.empty()) {
    f.lost_updates = 0;
    for (const trace::Counter& c : t.counters) f.lost_updates += c.lost();
  }
  return f;
}

Spread spread_of(const std::vector<double>& values) {
  Spread s;
  if (values.empty()) return s;
  for (const double v : values) s.mean += v;
  s.mean /= static_cast<double>(values.size());
  const auto [low, high] = std::minmax_element(values.begin(), values.end());
  s.low = *low;
  s.high = *high;
  if (values.size() < 2) return s;
  double squares = 0.0;
  for (const double v : values) squares += (v - s.mean) * (v - s.mean);
  s.deviation = std::sqrt(squares / static_cast<double>(values.size() - 1));
  return s;
}

}  // namespace

std::vector<RunFigures> simulate_task(const SweepPlan& plan, std::size_t task) {
  const auto seeds = static_cast<std::size_t>(plan.seeds);
  const std::size_t point = task / seeds;
  const scenario::Scenario s = plan.scenario_at(point, static_cast<int>(task % seeds));
  try {
    const trace::Trace first = model::simulate(s, s.runs.front());
    const trace::Metrics baseline = trace::compute_metrics(first);
    std::vector<RunFigures> out;
    out.reserve(plan.runs.size());
    for (const std::size_t r : plan.runs) {
      if (r == 0) {
        out.push_back(figures_of(baseline, first, baseline));
      } else {
        const trace::Trace t = model::simulate(s, s.runs.at(r));
        out.push_back(figures_of(baseline, t, trace::compute_metrics(t)));
      }
      out.back().seed = s.seed;
    }
    return out;
  } catch (const model::WorkLimitExceeded& e) {
    // The model's own words end with `gilsim run --max-events N`: the point's own command.
    throw SweepRefused(fmt::format("the sweep stopped at {}{}: {} (this point alone: gilsim run with --set {} and "
                                   "--max-events N; or leave it out of the grid)",
                                   plan.point_label(point), plan.seeds > 1 ? fmt::format(", seed {}", s.seed) : "",
                                   e.what(), plan.point_label(point)));
  }
}

SweepResult run_sweep_here(const SweepPlan& plan, const std::atomic<bool>* cancel, const SweepProgress& progress) {
  SweepResult result{plan.runs.size(), plan.seeds, {}};
  result.figures.reserve(plan.tasks() * plan.runs.size());
  for (std::size_t task = 0; task < plan.tasks(); ++task) {
    if (cancel != nullptr && cancel->load()) throw SweepCancelled();
    const auto figures = simulate_task(plan, task);
    result.figures.insert(result.figures.end(), figures.begin(), figures.end());
    if (progress) progress(task + 1, plan.tasks());
  }
  return result;
}

PointSummary summarise(const SweepResult& result, std::size_t point, std::size_t run) {
  std::vector<double> makespans, speedups, busy, held, waits, switches, lost;
  PointSummary out;
  for (int seed = 0; seed < result.seeds; ++seed) {
    const RunFigures& f = result.at(point, seed, run);
    if (!f.finished) {
      ++out.unfinished;
      out.deadlocked += f.deadlocked ? 1 : 0;
    }
    makespans.push_back(static_cast<double>(f.makespan_ns));
    speedups.push_back(f.speedup);
    busy.push_back(f.cores_busy);
    if (f.gil_held >= 0.0) {
      held.push_back(f.gil_held);
      waits.push_back(static_cast<double>(f.gil_wait_ns));
    }
    out.several_gils |= f.gil_lanes > 1;
    switches.push_back(static_cast<double>(f.switches));
    if (f.lost_updates >= 0) lost.push_back(static_cast<double>(f.lost_updates));
  }
  out.makespan_ns = spread_of(makespans);
  out.speedup = spread_of(speedups);
  out.cores_busy = spread_of(busy);
  out.has_gil = !held.empty();
  out.gil_held = spread_of(held);
  out.gil_wait_ns = spread_of(waits);
  out.switches = spread_of(switches);
  out.has_counters = !lost.empty();
  out.lost_updates = spread_of(lost);
  if (out.unfinished > 0) out.makespan_ns = out.speedup = Spread{std::nan(""), std::nan("")};
  return out;
}

std::string unfinished_text(const PointSummary& s, int seeds) {
  if (s.finished()) return {};
  const char* what = s.deadlocked == s.unfinished ? "deadlocked" : "did not finish";
  if (seeds <= 1 || s.unfinished == seeds) return what;
  return fmt::format("{} in {} of {} seeds", what, s.unfinished, seeds);
}

std::string unmoved_runs_note(const SweepPlan& plan, const SweepResult& result) {
  if (plan.points() < 2 || result.figures.empty()) return {};
  const auto same = [](const RunFigures& a, const RunFigures& b) {
    return a.makespan_ns == b.makespan_ns && a.switches == b.switches && a.gil_wait_ns == b.gil_wait_ns &&
           a.lost_updates == b.lost_updates && a.finished == b.finished;
  };
  std::vector<std::string> unmoved;
  for (std::size_t run = 0; run < plan.runs.size(); ++run) {
    bool moved = false;
    for (std::size_t point = 1; point < plan.points() && !moved; ++point) {
      for (int seed = 0; seed < result.seeds && !moved; ++seed) {
        moved = !same(result.at(point, seed, run), result.at(0, seed, run));
      }
    }
    if (!moved) unmoved.push_back(plan.run_names[run]);
  }
  if (unmoved.empty()) return {};
  const bool several_keys = plan.axes.size() > 1 || plan.axes.front().keys.size() > 1;
  return fmt::format("The varied value{} leave{} {} unchanged: the same figures at every point.",
                     several_keys ? "s" : "", several_keys ? "" : "s", scenario::quoted_and_list(unmoved));
}

const char* outcome_word(const RunFigures& f) {
  if (f.finished) return "finished";
  return f.deadlocked ? "deadlock" : "unfinished";
}

}  // namespace gilsim::sweep

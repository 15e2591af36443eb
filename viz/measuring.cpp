// Between the RealRunner's thread and the session: start, collect, forget on change.
#include "viz/measuring.hpp"

#include "viz/app_state.hpp"
#include "viz/run_caveats.hpp"

namespace gilsim::viz {

void start_measuring(AppState& app, RealSource source) {
  Measuring& m = app.measuring;
  m.start_pending.reset();
  m.runner.cancel();
  m.runner.wait();
  app.session.pause_speculation(true);  // the cores are the measurement's from its first run
  app.session.fit_to_this_machine(true);
  app.session.drop_measured();
  refresh_derived(app);
  m.outcomes.clear();
  m.stopped_by_change = false;
  m.discarding = false;
  m.machine_fitted = false;
  m.scenario_generation = app.session.scenario_generation();
  m.runner.start(app.session.scenario(), Time{120'000'000'000}, source);
}

void start_measuring_after_first_frame(AppState& app, RealSource source) { app.measuring.start_pending = source; }

void collect_measurements(AppState& app) {
  Measuring& m = app.measuring;
  if (m.start_pending && app.frames_drawn > 0) start_measuring(app, *m.start_pending);  // which clears it
  if (m.scenario_generation != app.session.scenario_generation()) {
    // These measurements belong to a scenario that is no longer shown.
    m.scenario_generation = app.session.scenario_generation();
    m.outcomes.clear();
    if (m.runner.running()) {
      m.runner.cancel();
      m.discarding = true;
      m.stopped_by_change = true;
    }
  }
  const bool was_running = m.runner.running();
  if (auto machine = m.machine_fitted || m.discarding ? std::nullopt : m.runner.progress().machine) {
    // The calibration measured this machine's process start and pickling before the first run:
    // the prediction becomes the model's for this machine, as `gilsim run --cpython`'s does.
    m.machine_fitted = true;
    app.session.fit_to_this_machine(true, std::move(machine));
    m.scenario_generation = app.session.scenario_generation();
    refresh_derived(app);
  }
  std::vector<RealOutcome> finished = m.runner.take_finished();
  if (m.discarding) {
    m.discarding = was_running;
    return;
  }
  bool added = false;
  for (RealOutcome& outcome : finished) {
    if (outcome.trace) {
      app.session.add_measured(std::move(*outcome.trace));
      outcome.trace.reset();
      added = true;
    }
    m.outcomes.push_back(std::move(outcome));
  }
  if (added) refresh_derived(app);
}

std::optional<real::Judgement> judge_run(const std::vector<trace::Trace>& runs, const std::vector<RunIndex>& index,
                                         std::uint32_t measured_run) {
  if (measured_run >= index.size() || measured_run >= runs.size()) return std::nullopt;
  const std::uint32_t predicted = index[measured_run].predicted_by;
  if (predicted == trace::kNone || predicted >= runs.size() || runs[measured_run].origin != trace::Origin::Measured) {
    return std::nullopt;
  }
  return real::judge(runs[predicted], index[predicted].metrics, runs[measured_run], index[measured_run].metrics,
                     index[measured_run].unseen.has_value());
}

std::optional<real::Judgement> judge_run(const AppState& app, std::uint32_t measured_run) {
  return judge_run(app.session.runs(), app.runs, measured_run);
}

std::optional<double> prediction_error_of(const AppState& app, std::uint32_t measured_run) {
  // A run whose recording saw too little of its jobs is not scored, nor one that stopped, that
  // other programs starved of its cores, or whose error its executor or its pace explains: the
  // header says why; an error beside it would read as the model's.
  const auto judged = judge_run(app, measured_run);
  if (!judged || !judged->scored()) return std::nullopt;
  return judged->error;
}

real::Judgement judgement_of(const AppState& app, std::uint32_t run) {
  if (auto judged = judge_run(app, run)) return *std::move(judged);
  return real::judge_alone(app.session.runs()[run], app.runs[run].unseen.has_value());
}

std::optional<std::string> not_scored(const AppState& app, std::uint32_t measured_run) {
  if (measured_run >= app.runs.size() || measured_run >= app.session.runs().size()) return std::nullopt;
  const auto judged = judge_run(app, measured_run);
  return score_caveat(app.session.runs()[measured_run], app.runs[measured_run].unseen, judged ? &*judged : nullptr);
}

std::optional<std::string> unrecorded_time(const AppState& app, std::uint32_t run) {
  const auto& runs = app.session.runs();
  if (run >= runs.size()) return std::nullopt;
  const trace::Trace& t = runs[run];
  // The CPU its recording reported, as the command line's sentence gives it; a run this
  // runner did not record, the CPU its processes used while it ran (CpuCheck::own_cpu).
  Time cpu = t.cpu_check.own_cpu;
  for (const RealOutcome& o : app.measuring.outcomes) {
    if (o.kind == RealOutcome::Kind::Measured && o.run_name == t.run_name && o.cpu > Time::zero()) cpu = o.cpu;
  }
  return unrecorded_note(t, cpu);
}

bool measuring(const AppState& app) { return app.measuring.runner.running(); }

}  // namespace gilsim::viz

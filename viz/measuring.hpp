// "Run for real" in the viewer: starts the RealRunner on the current scenario (its model twin
// fitted to this machine first), and each frame moves finished measured runs into the session.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/real/judgement.hpp"
#include "viz/real_runner.hpp"

namespace gilsim::viz {

struct AppState;
struct RunIndex;

struct Measuring {
  RealRunner runner;
  std::uint64_t scenario_generation = 0;  ///< the scenario the runner is measuring
  std::vector<RealOutcome> outcomes;      ///< what became of each run so far (traces moved out)
  bool stopped_by_change = false;         ///< the scenario changed under a running measurement
  bool discarding = false;                ///< until the stopped runner ends, its results are dropped
  std::optional<RealSource> start_pending;  ///< asked for at start-up, begun once the window is drawn
  bool machine_fitted = false;  ///< the prediction fitted to the runner's calibration (P4e, P7c)
};

/// Fits the model to this machine, drops earlier measured runs and starts measuring every run.
void start_measuring(AppState& app, RealSource source = RealSource::Executors);
/// The same once the first frame is drawn (collect_measurements starts it): a window's first
/// drawing (the display server's, the fonts') would otherwise share the first run's cores.
void start_measuring_after_first_frame(AppState& app, RealSource source = RealSource::Executors);
/// Call every frame: adds finished measured runs to the session (they stack under their
/// predictions); stops and forgets a measurement whose scenario was reloaded or re-knobbed.
void collect_measurements(AppState& app);
/// A measured run against its prediction, as the command line's table judges it
/// (real::judge): nullopt for a run that is not measured or has no prediction. `runs` and
/// `index`: the session's runs and their RunIndex (metrics, predicted_by).
std::optional<real::Judgement> judge_run(const std::vector<trace::Trace>& runs, const std::vector<RunIndex>& index,
                                         std::uint32_t measured_run);
std::optional<real::Judgement> judge_run(const AppState& app, std::uint32_t measured_run);
/// judge_run's judgement, or for a run without a prediction real::judge_alone's: what the
/// Numbers panel's marks read (real::unscored_reason). `run` must be one of the session's.
real::Judgement judgement_of(const AppState& app, std::uint32_t run);
/// For a measured run with a prediction: (predicted - measured) / measured makespan; none
/// for a run whose error is not shown: one that stopped, that other programs starved, whose
/// recording saw too little, or whose error outside the tolerance its executor or its pace
/// explains (real::Judgement::scored, as `gilsim run --real` shows it).
std::optional<double> prediction_error_of(const AppState& app, std::uint32_t measured_run);
/// For a measured run that is not scored, the words its header flags it with (score_caveat:
/// a busy machine, a recording that saw too little of its jobs, an error its executor or its
/// pace explains); nullopt otherwise.
std::optional<std::string> not_scored(const AppState& app, std::uint32_t measured_run);
/// For a run recorded in CPython that spent most of its time with no job running, where that
/// time went, as `gilsim run --cpython` says it (unrecorded_note, with the CPU time its
/// recording reported); nullopt otherwise.
std::optional<std::string> unrecorded_time(const AppState& app, std::uint32_t run);
/// True while runs execute for real.
bool measuring(const AppState& app);

}  // namespace gilsim::viz

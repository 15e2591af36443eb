// The model's entry point: simulate one run of a scenario, deterministically.
#pragma once

#include <memory>
#include <vector>

#include "sim/model/work_budget.hpp"
#include "sim/scenario/job_plan.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace.hpp"

namespace gilsim::model {

struct SimulationStats {
  std::uint64_t events = 0;  ///< events processed by the queue
};

/// Simulates `run` of `scenario`. The same scenario, run and seed give the same trace.
/// Throws WorkLimitExceeded (work_budget.hpp) when the run needs more than `max_events`.
trace::Trace simulate(const scenario::Scenario& scenario, const scenario::Run& run,
                      SimulationStats* stats = nullptr, std::uint64_t max_events = kDefaultMaxEvents);

/// Every run of the scenario, in file order.
std::vector<trace::Trace> simulate_all(const scenario::Scenario& scenario);

/// What every run of a scenario shares, made once: its job plan, and its templates' step
/// labels and its jobs' drawn durations (which the runs' traces share).
struct SharedPlan {
  explicit SharedPlan(const scenario::Scenario& scenario) : jobs(scenario::plan_jobs(scenario)), traced(scenario, jobs) {}
  scenario::JobPlan jobs;
  scenario::TraceJobs traced;
};

/// The same traces, simulated on up to `threads` threads at once (the runs share nothing
/// else): the runs estimated longest start first, so the last to finish is not a long run
/// started late. A run that fails fails the whole, with the error of the first failing run in
/// file order, as one run after another would. `plan`, when given and set, is this scenario's
/// (made for one that is scenario::same_plan); when given and empty, the plan made here (once
/// the runs' work is checked) is left in it for the next knob change.
std::vector<trace::Trace> simulate_all(const scenario::Scenario& scenario, unsigned threads,
                                       std::shared_ptr<const SharedPlan>* plan = nullptr);

}  // namespace gilsim::model

// What the simulate targets do with a scenario the loader accepted: simulate runs under one
// budget of events for all of them (each run checked against what is left before it starts,
// model::check_work; `gilsim run` gives each run the whole budget), and compute their metrics.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "sim/model/simulate.hpp"
#include "sim/model/work_budget.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/metrics.hpp"

namespace gilsim::fuzz {

/// All runs of one input together: under ASan and UBSan on a busy machine, about a second.
inline constexpr std::uint64_t kMaxEventsPerInput = 50'000;

/// Simulates `runs` (each of its scenario) with `events_left` for them all, taking off what
/// each used. Throws model::WorkLimitExceeded when one asks for more before it starts, or
/// when they go past it while they run.
inline void simulate_within_budget(
    const std::vector<std::pair<const scenario::Scenario*, const scenario::Run*>>& runs,
    std::uint64_t& events_left) {
  model::check_work(runs, events_left, "");
  model::SimulationStats stats;
  for (const auto& [s, run] : runs) {
    const trace::Trace t = model::simulate(*s, *run, &stats, events_left);
    events_left -= stats.events;
    trace::compute_metrics(t);
  }
}

/// Every run of `s`.
inline std::vector<std::pair<const scenario::Scenario*, const scenario::Run*>> every_run(const scenario::Scenario& s) {
  std::vector<std::pair<const scenario::Scenario*, const scenario::Run*>> runs;
  for (const scenario::Run& run : s.runs) runs.emplace_back(&s, &run);
  return runs;
}

}  // namespace gilsim::fuzz

// Effective settings of a run, and fitting a scenario to a machine's cores.
#include "sim/scenario/effective_settings.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace gilsim::scenario {

EffectiveSettings effective_settings(const Scenario& s, const Run& run) {
  EffectiveSettings e;
  e.cores = effective_cores(s, run);
  e.machine = s.machine;
  e.machine.cores = e.cores;
  e.gil = effective_gil(s, run);
  e.switch_interval = effective_switch_interval(s, run);
  e.costs = s.costs;
  e.costs.check_period = effective_check_period(s);  // O1: scaled by check_interval
  e.python_cost_factor = e.gil == GilMode::None ? 1.0 + s.python.free_threading_overhead : 1.0;
  e.workers = effective_workers(s, run);
  e.start_method = effective_start_method(s, run);
  const bool pool = run.executor == Executor::ProcessPool || run.executor == Executor::ProcessPoolExecutor;
  e.chunksize = pool ? effective_chunksize(s, run) : 0;
  return e;
}

Time python_cost(const EffectiveSettings& settings, Time work) {
  if (settings.python_cost_factor == 1.0) return work;
  return Time{static_cast<std::int64_t>(static_cast<double>(work.ns()) * settings.python_cost_factor)};
}

int fit_cores(int asked, int cpus) { return std::max(1, std::min(asked, cpus)); }

std::optional<std::string> fit_to_machine(Scenario& s, int cpus) {
  int asked = s.machine.cores;
  for (const auto& run : s.runs) asked = std::max(asked, run.cores.value_or(0));
  s.machine.cores = fit_cores(s.machine.cores, cpus);
  for (auto& run : s.runs) {
    if (run.cores) run.cores = fit_cores(*run.cores, cpus);
  }
  if (asked <= cpus) return std::nullopt;
  return fmt::format("The scenario asks for {} cores; this machine has {}, so the model predicts for {} too.",
                     asked, cpus, cpus);
}

}  // namespace gilsim::scenario

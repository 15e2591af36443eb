// Fitting the model's twin to this machine, and the prediction's error.
#include "sim/real/model_twin.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace gilsim::real {

std::optional<std::string> fit_to_this_machine(scenario::Scenario& s, int cpus) {
  int asked = s.machine.cores;
  for (const auto& run : s.runs) asked = std::max(asked, run.cores.value_or(0));
  s.machine.cores = cpus;
  for (auto& run : s.runs) {
    if (run.cores) run.cores = std::min(*run.cores, cpus);
  }
  if (asked <= cpus) return std::nullopt;
  return fmt::format("The scenario asks for {} cores; this machine has {}, so the model predicts for {} too.",
                     asked, cpus, cpus);
}

double prediction_error(Time predicted, Time measured) {
  return prediction_error(static_cast<double>(predicted.ns()), static_cast<double>(measured.ns()));
}

double prediction_error(double predicted, double measured) {
  if (measured == 0.0) return 0.0;
  return (predicted - measured) / measured;
}

}  // namespace gilsim::real

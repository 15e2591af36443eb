// Pinned CPUs folded onto fewer CPUs; see pin_fit.hpp.
#include "sim/scenario/pin_fit.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace gilsim::scenario {

int fit_cpu(int cpu, int cpus) { return cpus > 0 ? cpu % cpus : 0; }

std::vector<int> fit_cpu_list(const std::vector<int>& list, int cpus) {
  std::vector<int> fitted;
  for (const int cpu : list) fitted.push_back(fit_cpu(cpu, cpus));
  std::sort(fitted.begin(), fitted.end());
  fitted.erase(std::unique(fitted.begin(), fitted.end()), fitted.end());
  return fitted;
}

std::optional<std::string> fit_pins(Scenario& s, int cpus) {
  std::vector<std::string> moved;
  for (JobTemplate& job : s.jobs) {
    std::vector<std::string> changes;
    for (auto [list, key] : {std::pair{&job.cpus, "cpus"}, std::pair{&job.peer_cpus, "peer_cpus"}}) {
      std::vector<int> fitted = fit_cpu_list(*list, cpus);
      if (fitted == *list) continue;
      changes.push_back(fmt::format("{} [{}] became [{}]", key, fmt::join(*list, ", "), fmt::join(fitted, ", ")));
      *list = std::move(fitted);
    }
    if (!changes.empty()) moved.push_back(fmt::format("job '{}': {}", job.name, fmt::join(changes, ", ")));
  }
  if (moved.empty()) return std::nullopt;
  return fmt::format("A pinned CPU does not exist here, so CPU k runs on CPU k mod {} (docs/model.md S9): {}.", cpus,
                     fmt::join(moved, "; "));
}

}  // namespace gilsim::scenario

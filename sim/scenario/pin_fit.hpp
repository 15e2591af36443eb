// Fitting pinned CPUs (docs/model.md S9) to a machine with fewer CPUs than the scenario's
// cores: the model's twin and the real run fold each CPU number the same way.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace gilsim::scenario {

/// Where CPU `cpu` of a scenario runs on a machine of `cpus` CPUs: `cpu` mod `cpus`, so a
/// CPU that exists stays itself and the pins of a four-core scenario keep their pattern
/// (0 and 2 together, 1 and 3 together) on two.
int fit_cpu(int cpu, int cpus);

/// `list` with every CPU fitted (fit_cpu), sorted, each once.
std::vector<int> fit_cpu_list(const std::vector<int>& list, int cpus);

/// Fits every job's `cpus` and `peer_cpus` to `cpus` CPUs; a sentence naming the jobs whose
/// pins moved, or nothing when none did.
std::optional<std::string> fit_pins(Scenario& scenario, int cpus);

}  // namespace gilsim::scenario

// The model's twin of a real run: the scenario fitted to this machine's cores, so prediction
// and measurement are about the same machine, and how far the prediction is off.
#pragma once

#include <optional>
#include <string>

#include "sim/scenario/scenario.hpp"
#include "sim/trace/time.hpp"

namespace gilsim::real {

/// Makes the simulated twin use this machine's `cpus` cores: returns a sentence for the
/// reader when the scenario asked for more, or nothing.
std::optional<std::string> fit_to_this_machine(scenario::Scenario& scenario, int cpus);

/// The prediction's error as a fraction of the measurement: (predicted - measured) / measured;
/// 0 when nothing was measured.
double prediction_error(Time predicted, Time measured);

/// The same formula for figures that are not times (ratios, per-operation seconds).
double prediction_error(double predicted, double measured);

}  // namespace gilsim::real

// How far the model's twin of a real run is off. The twin itself is the scenario fitted to
// this machine's cores by scenario::fit_to_machine (sim/scenario/effective_settings.hpp).
#pragma once

#include <optional>
#include <string>

#include "sim/scenario/scenario.hpp"
#include "sim/trace/time.hpp"

namespace gilsim::real {

/// The prediction's error as a fraction of the measurement: (predicted - measured) / measured;
/// 0 when nothing was measured.
double prediction_error(Time predicted, Time measured);

/// The same formula for figures that are not times (ratios, per-operation seconds).
double prediction_error(double predicted, double measured);

}  // namespace gilsim::real

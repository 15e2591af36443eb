// What `gilsim sweep` prints: a heading, a table per run (one row per grid point, mean and
// spread over seeds) and text charts of speed-up against the first varied key.
#pragma once

#include <string>

#include "sim/scenario/scenario.hpp"
#include "sim/sweep/sweep_results.hpp"

namespace gilsim::cli {

/// The charts drawn at most; more combinations of the other keys are counted, not drawn.
inline constexpr std::size_t kMaxSweepCharts = 4;

/// A speed-up over `seeds` seeds as the sweep's tables print it: "1.94x ± 0.02x", the spread
/// to the mean's decimals, "± <0.01x" when it is smaller than that; the mean alone for one seed.
std::string speedup_with_spread(const sweep::Spread& s, int seeds);

std::string render_sweep_report(const sweep::SweepPlan& plan, const sweep::SweepResult& result,
                                const scenario::Scenario& base, int width);

}  // namespace gilsim::cli

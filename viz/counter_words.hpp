// A run's shared counters on the timeline, where a class sees them (a run's header, its
// collapsed line): lesson 15's point is the counter's end value against the safe one.
#pragma once

#include <optional>
#include <string>

#include "sim/trace/trace.hpp"

namespace gilsim::viz {

/// "counter = 53,559 of 80,000: 26,441 lost", or for a counter that kept every update
/// "safe = 80,000: none lost", one per counter joined by "; "; nullopt for a run without
/// counters or still being simulated (its counters are not known yet). The figures are
/// trace::outcome_lines's, which the Numbers panel prints.
std::optional<std::string> counters_text(const trace::Trace& run);

/// The same in fewer words, for a collapsed run's line with little room: the counters that
/// lost updates, "counter: 26,441 of 80,000 lost", or "no update lost".
std::optional<std::string> counters_brief(const trace::Trace& run);

/// Whether any of the run's counters lost updates (the header draws its counters in red).
bool lost_updates(const trace::Trace& run);

}  // namespace gilsim::viz

// What a run's shared data and locks came to, in sentences: each counter against the
// updates made ("lost 1,734 of 400,000 updates") and a deadlock's cycle. Read from the
// Trace alone, so a simulated and a measured run are told the same way.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/trace/trace.hpp"

namespace gilsim::trace {

/// "1,734": an integer with thousands separators.
std::string group_digits(std::int64_t n);

/// One line per counter ("counter = 265,821: lost 134,179 of 400,000 updates"), then the
/// deadlock, if the run ended in one ("deadlock at 1.00 ms: T2 waits for lock A, held by T1; ...").
std::vector<std::string> outcome_lines(const Trace& trace);

/// Whether the run ended in a deadlock (docs/model.md L6): it stopped there, jobs unfinished.
bool ended_in_deadlock(const Trace& trace);

}  // namespace gilsim::trace

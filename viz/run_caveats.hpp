// What a run's header must add so a class does not misread it: a measured run taken while
// the machine was busy, and the end of the shared time axis when a slow measured run would
// otherwise stretch it for every run.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/trace/trace.hpp"

namespace gilsim::viz {

/// For a measured run whose record says the machine was busy while it ran, or that its CPU
/// ran off its calibrated speed, the words for its header ("busy machine: got 33% of the CPU
/// it needed; not scored", "CPU ran 18% slower than calibrated (the host's speed drifts); not
/// scored"), from the checks the run carries; nullopt otherwise. Such a run has no
/// prediction error either.
std::optional<std::string> measurement_caveat(const trace::Trace& run);

/// Where the shared axis ends: the latest end of every run, or with `clip_measured` the
/// latest end of the simulated runs (measured runs that end later run past the right edge,
/// and their headers say so). With no simulated run, every run counts.
Time axis_end(const std::vector<trace::Trace>& runs, bool clip_measured);

}  // namespace gilsim::viz

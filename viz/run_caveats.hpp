// What a run's header must add so a class does not misread it: a measured run taken while
// the machine was busy, and the end of the shared time axis when a slow measured run would
// otherwise stretch it for every run.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/cpython/cpython_trace.hpp"
#include "sim/trace/trace.hpp"

namespace gilsim::viz {

/// For a measured run whose record says the machine was busy while it ran, or that its CPU
/// ran off its calibrated speed, the words for its header ("busy machine: got 33% of the CPU
/// it needed; not scored", "CPU ran 18% slower than calibrated (the host's speed drifts); not
/// scored"), from the checks the run carries; nullopt otherwise. Such a run has no
/// prediction error either.
std::optional<std::string> measurement_caveat(const trace::Trace& run);

/// For a measured run whose native steps took far more CPU than planned (CpuCheck::native_over),
/// the sentence the command line prints under its table (real::native_pace_note); nullopt
/// otherwise. A note, not a flag: the run keeps its error, as on the command line.
std::optional<std::string> native_caveat(const trace::Trace& run);

/// The header's words for a CPython run whose recording saw too little of its jobs to be
/// scored (cpython::too_little_seen): "not scored: the recording saw 12% of its jobs' time",
/// or "... saw nothing of 4 of its 8 jobs". cpython::unseen_note(seen) says why at length.
std::string unseen_flag(const cpython::JobsSeen& seen);

/// What a measured run's header flags, if anything: that its recording saw too little
/// (`unseen`: cpython::too_little_seen, found once when the run is indexed, as it walks the
/// whole trace), else measurement_caveat. As `gilsim run --cpython` decides, the recording
/// first. A run flagged has no prediction error: it is "not scored" wherever one would show.
std::optional<std::string> score_caveat(const trace::Trace& run, const std::optional<cpython::JobsSeen>& unseen);

/// Where the shared axis ends: the latest end of every run, or with `clip_measured` the
/// latest end of the simulated runs (measured runs that end later run past the right edge,
/// and their headers say so). With no simulated run, every run counts.
Time axis_end(const std::vector<trace::Trace>& runs, bool clip_measured);

}  // namespace gilsim::viz

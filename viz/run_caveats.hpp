// What a run's header must add so a class does not misread it: a measured run taken while
// the machine was busy, and the end of the shared time axis when a slow measured run would
// otherwise stretch it for every run.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/cpython/cpython_trace.hpp"
#include "sim/real/judgement.hpp"
#include "sim/trace/trace.hpp"

namespace gilsim::viz {

/// For a measured run that is not scored, or whose error something other than the model
/// explains, the words for its header, decided as the command line's table decides
/// (real::judge): "busy machine: other programs used 64% of the 2 cores; not scored" when
/// other programs starved it (real::starved_note, whatever its error, prediction or not);
/// outside the error's tolerance only, "CPU ran 18% slower than calibrated (the host's speed
/// drifts); not scored" (off pace) and "the executor's own work: 1.40 s of CPU where the
/// model's computes for 1.02 s; not scored". `judged`: the run against its prediction, null
/// when it has none. nullopt otherwise: such a run has no prediction error either.
std::optional<std::string> measurement_caveat(const trace::Trace& run, const real::Judgement* judged);

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
std::optional<std::string> score_caveat(const trace::Trace& run, const std::optional<cpython::JobsSeen>& unseen,
                                        const real::Judgement* judged);

/// The stretches of a run's time when none of its jobs was running (before its first, between
/// them, after its last), in time order: what cpython::outside_jobs adds up.
std::vector<std::pair<Time, Time>> no_job_stretches(const trace::Trace& run);

/// For a run recorded in CPython that spent more than half its time with no job running (a
/// process pool's pickles and pipes, which the recorder does not trace), the command line's
/// sentence (cpython::outside_jobs_note; `cpu`: the CPU time its processes got); nullopt
/// for any other run.
std::optional<std::string> unrecorded_note(const trace::Trace& run, Time cpu);

/// A flag in full and in brief: "busy machine: other programs used 79% of the 2 cores; not
/// scored" and "busy machine: not scored", for a line with little room (the full one then in
/// its tooltip, and under the Numbers panel's table).
struct ScoreCaveat {
  std::string full;
  std::string brief;
};
/// score_caveat's flag with its brief: "busy machine: not scored", "the executor's own work:
/// not scored", "CPU off pace: not scored", "recording saw too little: not scored".
std::optional<ScoreCaveat> score_caveats(const trace::Trace& run, const std::optional<cpython::JobsSeen>& unseen,
                                         const real::Judgement* judged);

/// Where the shared axis ends: the latest end of every run, or with `clip_measured` the
/// latest end of the simulated runs (measured runs that end later run past the right edge,
/// and their headers say so). With no simulated run, every run counts.
Time axis_end(const std::vector<trace::Trace>& runs, bool clip_measured);

}  // namespace gilsim::viz

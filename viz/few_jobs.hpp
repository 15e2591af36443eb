// A window on a few of a run's jobs: where a run's tiny jobs blur at the zoom a class opens
// with (lesson 10's 4,000 tasks of 50 us), one click on its "marks folded" note shows a few.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>

#include "sim/trace/trace.hpp"

namespace gilsim::viz {

/// From the begin of the first of `run`'s finished jobs to begin at or after `around` to the
/// latest end of it and the `count - 1` that begin next; where `around` is no later than the
/// first job's begin (a playhead at 0 s) or after the last's, from the middle job. None
/// without a finished job.
std::optional<std::pair<Time, Time>> few_jobs_window(const trace::Trace& run, Time around, std::size_t count);

}  // namespace gilsim::viz

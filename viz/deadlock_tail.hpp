// A run that ended in a deadlock stops its trace where the cycle closed (docs/model.md L6),
// but its threads would wait forever: the viewer draws the lanes of the cycle on to the right
// edge, as "deadlocked". Drawing only: the trace and the model do not change.
#pragma once

#include <string>
#include <vector>

#include "sim/trace/trace.hpp"

namespace gilsim::viz {

/// A lane that stays as it was at a deadlocked run's end: a thread of the cycle (waiting for
/// a lock while holding one), or a lock of the cycle, with the thread that holds it.
struct StuckLane {
  trace::LaneId lane = trace::kNone;
  trace::LaneId holder = trace::kNone;     ///< a lock lane's holder; kNone for a thread lane
  trace::LaneId waits_for = trace::kNone;  ///< a thread lane's: the lock it waits for
};

/// The lanes of the cycle a run ended in (its Deadlock marks at its end): each waiting thread,
/// then each lock it waits for with its holder. Empty when the run did not end in a deadlock.
std::vector<StuckLane> stuck_lanes(const trace::Trace& run);

/// The words inside a stuck lane's hatching: "deadlocked: waits for lock lock_b forever",
/// "deadlocked: held by T1 forever".
std::string stuck_label(const trace::Trace& run, const StuckLane& stuck);

/// The header's and the collapsed line's words for a deadlocked run: "deadlocked at 1.08 ms".
std::string deadlocked_text(const trace::Trace& run);

}  // namespace gilsim::viz

// Whom a thread's wake (a `Waking` span) wakes, read from the trace: the producers record the
// wake on the waker's lane only, and the GIL's, the locks' and the woken thread's lanes say
// the rest (docs/model.md G8c, L8).
#pragma once

#include <optional>

#include "sim/trace/trace.hpp"

namespace gilsim::trace {

struct WakeTarget {
  enum class Cause {
    GilTake,      ///< take_gil's signal of the thread its drop request forced out (G8c)
    LockRelease,  ///< a lock's release() waking a thread asleep on it (L8)
  };
  Cause cause = Cause::GilTake;
  LaneId woken = kNone;        ///< the thread woken; kNone where the trace does not say
  LaneId lock = kNone;         ///< LockRelease: the lock's lane
  LaneId next_holder = kNone;  ///< LockRelease: who holds the lock next (maybe not the woken)
};

/// Whom the `Waking` span `span` of `lane` wakes: a take of the GIL at its start (the GIL's
/// previous holder, forced out), else a release of a lock that ends at its start (the thread
/// whose wait on that lock goes on in a span of its own from there). None where neither lane
/// says, or for a span in another state.
std::optional<WakeTarget> wake_target(const Trace& t, LaneId lane, const Span& span);

}  // namespace gilsim::trace

// An inferred GIL (a run recorded in CPython, docs/cpython-traces.md) has a holder only where
// the recorder saw a thread of the process run Python. Where threads waited for the GIL while
// nobody was seen running, the recording cannot tell whether the last holder kept it while the
// OS had taken its core, or had let it go to a thread still waiting for a core (on a busy
// machine, for whole scheduler time slices): the viewer says "holder not seen" there, rather
// than leave the lane blank beside threads that wait.
#pragma once

#include "sim/trace/trace.hpp"

namespace gilsim::viz {

/// The stretches within [from, to) where `waiting` (how many threads wait for the GIL, as
/// GilContention's spans count them) has waiters while `gil` has no holder span, in time
/// order, next stretches joined; each span's subject is the most threads that waited in it.
trace::SpanStore unseen_holder(const trace::SpanStore& gil, const trace::SpanStore& waiting, Time from, Time to);

/// Whether `run`'s GIL lanes are inferred, not seen: a run recorded in CPython.
inline bool gil_inferred(const trace::Trace& run) {
  return run.origin == trace::Origin::Measured && !run.measured_by.empty();
}

}  // namespace gilsim::viz

// Small hand-built traces for the viewer's tests: two threads sharing a GIL on two cores,
// with the marks the model would write, so view logic is tested without the model.
#pragma once

#include "sim/trace/trace_builder.hpp"

namespace gilsim::viz::testing {

/// core 0..1 (lanes 0, 1), GIL (2), T1 (3), T2 (4). T1 runs 0-5 ms; T2 waits from 1 ms,
/// asks for a drop at 6 ms... see the .cpp for the exact story.
trace::Trace two_threads();

/// An asyncio run: one loop thread and three tasks with ready, running, sleeping spans.
trace::Trace asyncio_run();

/// Lanes of a run being built by start_gil_pair.
struct GilPairLanes {
  trace::LaneId gil, t1, t2;
};
/// In a fresh builder: the main process and its GIL, T1 running and holding it from 0, and
/// T2 waiting for it from `t2_waits`. The test writes the rest of the story.
GilPairLanes start_gil_pair(trace::TraceBuilder& b, Time t2_waits);

/// A simulated run of many threads waiting for the GIL at once, the OS picking among them at
/// each hand-off: 200 CPU threads with a short I/O, 3 cores, 1 ms turns.
trace::Trace many_waiters();

/// One thread lane with `count` spans of 1 us alternating running / waiting, for speed tests.
trace::Trace many_spans(std::size_t count);

}  // namespace gilsim::viz::testing

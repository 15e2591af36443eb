// Traces in the Chrome Trace Event Format, for Perfetto (ui.perfetto.dev) and
// chrome://tracing: a process per run, a named track per lane, a slice per span.
#pragma once

#include <ostream>
#include <vector>

#include "sim/trace/trace.hpp"

namespace gilsim::trace {

/// Writes one JSON document. Run i becomes process i + 1, named "<run> (simulated)" or
/// "<run> (measured)"; lane l becomes thread l + 1, sorted cores, GILs, threads, tasks.
/// Spans are complete events ("X", microseconds) named after their state (GIL lanes:
/// after the holder), marks are thread-scoped instant events ("i") with the why in args.
void write_chrome_trace(std::ostream& out, const std::vector<const Trace*>& runs);

}  // namespace gilsim::trace

// Traces in the Chrome Trace Event Format, for Perfetto (ui.perfetto.dev) and
// chrome://tracing: a process per run, a named track per lane, a slice per stretch of spans alike.
#pragma once

#include <ostream>
#include <vector>

#include "sim/trace/trace.hpp"

namespace gilsim::trace {

/// Writes one JSON document. Run i becomes process i + 1, named "<run> (simulated)" or
/// "<run> (measured)"; lane l becomes thread l + 1, sorted cores, GILs, threads, tasks.
/// Spans are complete events ("X", microseconds) named after their state (GIL lanes:
/// after the holder), marks are thread-scoped instant events ("i") with the why in args.
/// Consecutive spans alike are one slice, its args saying how many (a thread's steps run one
/// after another in one state of one job: `steps`; a GIL's or lock's holds by one thread with
/// free gaps under 1 us: `holds`), so that a lesson of 80,000 short steps opens in Perfetto.
void write_chrome_trace(std::ostream& out, const std::vector<const Trace*>& runs);

}  // namespace gilsim::trace

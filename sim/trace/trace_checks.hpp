// Invariants every trace must satisfy, simulated or measured: the checks tests run on both.
#pragma once

#include <string>
#include <vector>

#include "sim/trace/trace.hpp"

namespace gilsim::trace {

/// Problems found, each a sentence; empty when the trace is sound:
/// spans sorted, non-empty and non-overlapping in every lane; marks sorted; every GIL span
/// names a thread of its process; a thread runs Python only while it holds its process's
/// GIL; every job that began also ended, once, after it began.
std::vector<std::string> check_invariants(const Trace& trace);

}  // namespace gilsim::trace

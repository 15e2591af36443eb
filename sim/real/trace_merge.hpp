// Turning the records of a real run (from every thread and process) into one Trace.
#pragma once

#include <vector>

#include "sim/real/run_record.hpp"
#include "sim/trace/trace_builder.hpp"

namespace gilsim::real {

/// Replays `records` in time order into `builder` (which already has the run's lanes and
/// jobs); the trace ends (its makespan) at `end`. Records of one thread keep their order.
trace::Trace merge_records(trace::TraceBuilder& builder, std::vector<Record> records, Time end);

}  // namespace gilsim::real

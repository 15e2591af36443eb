// Spans and marks as CSV, one row each, for spreadsheets and pandas, in the trace's order or
// sorted by time as an event log.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "sim/trace/trace.hpp"

namespace gilsim::trace {

/// Header: run,origin,lane,kind,state,begin_ns,end_ns,subject,job,step,label.
/// subject is the raw index (a job on thread/task lanes, a thread lane on core/GIL lanes),
/// empty when none; job and step (1-based) are filled for spans that run a job's step.
void write_spans_csv(std::ostream& out, const std::vector<const Trace*>& runs);

/// The same rows and header, each run's spans and marks merged and sorted by their start time
/// (ties keep the trace's order): a whole run read as a timestamped event log. The golden
/// event logs of tests/golden/events/ are written by it.
void write_events_csv(std::ostream& out, const std::vector<const Trace*>& runs);

/// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
std::string csv_field(std::string_view text);

}  // namespace gilsim::trace

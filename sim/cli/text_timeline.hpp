// The timeline as text: one row per lane, one character per slice of time showing what
// the lane did most of that slice, a time axis and a legend. For terminals and logs.
#pragma once

#include <string>

#include "sim/trace/trace.hpp"

namespace gilsim::cli {

struct TimelineOptions {
  int width = 100;            ///< total columns, lane names included
  int max_rows_per_kind = 16; ///< cores, GILs, locks, threads and tasks each, rows that show
                              ///< something first; the rest are counted
};

/// The character for a state on thread, task and core lanes ('#' running, '.' waiting for
/// the GIL, ...). GIL lanes show their holder instead (see holder_symbol).
char state_symbol(trace::SpanState state);

/// The k-th holder symbol (0-based): '1'..'9', 'a'..'z', 'A'..'Z', then '*' for the rest.
/// On GIL and lock rows thread T<n> is holder_symbol(n - 1) and `main` is '0', so a digit
/// names its thread; other holders take the symbols left, and the legend lists them all.
char holder_symbol(int thread_index);

/// Rows (name, then bars between '|'), the axis, and a legend of the symbols shown.
/// Every line ends with '\n'.
std::string render_text_timeline(const trace::Trace& trace, const TimelineOptions& options);

}  // namespace gilsim::cli

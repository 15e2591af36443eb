// Records in, Trace out: one stable sort by time, then a replay through the TraceBuilder.
#include "sim/real/trace_merge.hpp"

#include <algorithm>

namespace gilsim::real {

trace::Trace merge_records(trace::TraceBuilder& builder, std::vector<Record> records, Time end) {
  std::stable_sort(records.begin(), records.end(),
                   [](const Record& a, const Record& b) { return a.at_ns < b.at_ns; });
  for (const Record& r : records) {
    const Time at{r.at_ns};
    switch (r.kind) {
      case RecordKind::State:
        builder.set_state(r.lane, at, static_cast<trace::SpanState>(r.detail), r.other, r.step);
        break;
      case RecordKind::Clear: builder.clear_state(r.lane, at); break;
      case RecordKind::Mark:
        builder.mark(at, static_cast<trace::MarkKind>(r.detail), r.lane, r.other, r.value);
        break;
      case RecordKind::JobStart: builder.job_started(r.other, r.lane, at); break;
      case RecordKind::JobEnd: builder.job_finished(r.other, at); break;
    }
  }
  // Threads end and workers shut down a little after the last result: their spans close
  // where they did, while the trace's end stays the makespan.
  Time last = end;
  if (!records.empty()) last = max(last, Time{records.back().at_ns});
  trace::Trace trace = builder.finish(last);
  trace.end = end;
  return trace;
}

}  // namespace gilsim::real

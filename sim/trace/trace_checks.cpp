// Checking the invariants of a trace.
#include "sim/trace/trace_checks.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace gilsim::trace {

namespace {

bool inside_held_span(const Lane& gil, LaneId thread, const Span& span) {
  // Held spans are sorted: find the last one starting at or before span.begin.
  auto it = std::upper_bound(gil.spans.begin(), gil.spans.end(), span.begin,
                             [](Time t, const Span& s) { return t < s.begin; });
  if (it == gil.spans.begin()) return false;
  --it;
  // Adjacent Held spans by the same thread count as one (the builder may split them).
  Time covered_until = it->end;
  if (it->subject != thread) return false;
  for (auto next = it + 1; next != gil.spans.end() && covered_until < span.end; ++next) {
    if (next->begin != covered_until || next->subject != thread) break;
    covered_until = next->end;
  }
  return covered_until >= span.end;
}

}  // namespace

std::vector<std::string> check_invariants(const Trace& t) {
  std::vector<std::string> problems;
  for (LaneId l = 0; l < t.lanes.size(); ++l) {
    const Lane& lane = t.lanes[l];
    bool first = true;
    Time last_end;  // of the span before s
    for (const Span& s : lane.spans) {
      if (!(s.begin < s.end)) problems.push_back(fmt::format("{}: empty or reversed span at {}", lane.name, s.begin));
      if (!first && last_end > s.begin) problems.push_back(fmt::format("{}: spans overlap at {}", lane.name, s.begin));
      first = false;
      last_end = s.end;
    }
    if (lane.kind == LaneKind::Gil) {
      for (const Span& s : lane.spans) {
        if (s.subject >= t.lanes.size() || t.lanes[s.subject].process != lane.process) {
          problems.push_back(fmt::format("{}: held by a lane of another process at {}", lane.name, s.begin));
        }
      }
    }
    if (lane.kind == LaneKind::Thread && lane.process < t.processes.size()) {
      const LaneId gil = t.processes[lane.process].gil_lane;
      if (gil == kNone) continue;
      for (const Span& s : lane.spans) {
        if (s.state != SpanState::Running && s.state != SpanState::Waking) continue;
        if (!inside_held_span(t.lanes[gil], l, s)) {
          problems.push_back(fmt::format("{}: {} at {} without holding the GIL", lane.name,
                                         s.state == SpanState::Running ? "runs Python" : "wakes a thread", s.begin));
        }
      }
    }
  }
  for (std::size_t i = 1; i < t.marks.size(); ++i) {
    if (t.marks[i - 1].at > t.marks[i].at) problems.push_back("marks are not sorted by time");
  }
  std::vector<int> starts(t.jobs.size(), 0), ends(t.jobs.size(), 0);
  for (const Mark& m : t.marks) {
    if (m.other >= t.jobs.size()) continue;
    if (m.kind == MarkKind::JobStart) ++starts[m.other];
    if (m.kind == MarkKind::JobEnd) ++ends[m.other];
  }
  for (std::size_t j = 0; j < t.jobs.size(); ++j) {
    const Job& job = t.jobs[j];
    if (starts[j] != 1 || ends[j] != 1) {
      problems.push_back(fmt::format("{}: started {} and finished {} times", job.name, starts[j], ends[j]));
    } else if (job.end < job.begin) {
      problems.push_back(fmt::format("{}: finished before it started", job.name));
    }
  }
  return problems;
}

}  // namespace gilsim::trace

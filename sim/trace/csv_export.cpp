// CSV export of spans and marks, with RFC 4180 quoting.
#include "sim/trace/csv_export.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

#include <fmt/format.h>

namespace gilsim::trace {

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

namespace {

std::string span_row(const Trace& t, const Lane& lane, const Span& s) {
  const bool runs_a_job = (lane.kind == LaneKind::Thread || lane.kind == LaneKind::Task) && s.subject < t.jobs.size();
  const std::string subject = s.subject == kNone ? "" : fmt::format("{}", s.subject);
  const std::string job = runs_a_job ? t.jobs[s.subject].name : "";
  const std::string step = runs_a_job && s.step != kNoStep ? fmt::format("{}", s.step + 1) : "";
  const std::string_view subject_kind = s.subject == kNone ? "" : runs_a_job ? "job" : "lane";
  return fmt::format("{},{},{},{},{},{},{},{},{},{},{},span,{}\n", csv_field(t.run_name), to_string(t.origin),
                     csv_field(lane.name), to_string(lane.kind), csv_field(to_string(s.state)), s.begin.ns(),
                     s.end.ns(), subject, csv_field(job), step, csv_field(describe(t, lane, s)), subject_kind);
}

/// What a mark's `other` is (mark.hpp): a job, a counter, a number of lost races, or a lane.
std::string_view mark_subject_kind(MarkKind kind) {
  switch (kind) {
    case MarkKind::JobStart:
    case MarkKind::JobEnd: return "job";
    case MarkKind::LostUpdate: return "counter";
    case MarkKind::RacesLost: return "count";
    case MarkKind::GilRequest:
    case MarkKind::DropRequest:
    case MarkKind::ForcedSwitch:
    case MarkKind::GilHandoff:
    case MarkKind::Spawn:
    case MarkKind::Preempt:
    case MarkKind::LoopStall:
    case MarkKind::Dispatch:
    case MarkKind::LockWait:
    case MarkKind::LockTaken:
    case MarkKind::Deadlock: return "lane";
  }
  return "lane";
}

/// A mark: an instant (begin = end), its kind in `state`, and `other` as the subject.
std::string mark_row(const Trace& t, const Mark& m) {
  const Lane* lane = m.lane < t.lanes.size() ? &t.lanes[m.lane] : nullptr;
  const bool about_a_job = m.kind == MarkKind::JobStart || m.kind == MarkKind::JobEnd;
  const std::string subject = m.other == kNone ? "" : fmt::format("{}", m.other);
  const std::string job = about_a_job && m.other < t.jobs.size() ? t.jobs[m.other].name : "";
  const std::string_view subject_kind = m.other == kNone ? "" : mark_subject_kind(m.kind);
  return fmt::format("{},{},{},{},{},{},{},{},{},,{},mark,{}\n", csv_field(t.run_name), to_string(t.origin),
                     csv_field(lane ? lane->name : ""), lane ? to_string(lane->kind) : "", csv_field(to_string(m.kind)),
                     m.at.ns(), m.at.ns(), subject, csv_field(job), csv_field(describe(t, m)), subject_kind);
}

constexpr std::string_view kHeader =
    "run,origin,lane,kind,state,begin_ns,end_ns,subject,job,step,label,record,subject_is\n";

}  // namespace

void write_spans_csv(std::ostream& out, const std::vector<const Trace*>& runs) {
  out << kHeader;
  for (const Trace* t : runs) {
    for (const Lane& lane : t->lanes) {
      for (const Span& s : lane.spans) out << span_row(*t, lane, s);
    }
    for (const Mark& m : t->marks) out << mark_row(*t, m);
  }
}

void write_events_csv(std::ostream& out, const std::vector<const Trace*>& runs) {
  out << kHeader;
  for (const Trace* t : runs) {
    std::vector<std::pair<std::int64_t, std::string>> rows;
    for (const Lane& lane : t->lanes) {
      for (const Span& s : lane.spans) rows.emplace_back(s.begin.ns(), span_row(*t, lane, s));
    }
    for (const Mark& m : t->marks) rows.emplace_back(m.at.ns(), mark_row(*t, m));
    // Stable: rows that start together keep the trace's order (lanes top to bottom, then marks).
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& row : rows) out << row.second;
  }
}

}  // namespace gilsim::trace

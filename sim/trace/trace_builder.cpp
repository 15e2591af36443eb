// Span bookkeeping for producers of traces.
#include "sim/trace/trace_builder.hpp"

#include <algorithm>
#include <cassert>

namespace gilsim::trace {

namespace {

/// `s` as seen at `at`: ended by then, or still going and cut there.
Span cut_span(Span s, Time at) {
  s.end = std::min(s.end, at);
  return s;
}

/// `job` as known at `at`: a start or an end at `at` or later has not happened yet.
void cut_job(Job& job, Time at) {
  if (job.begin >= at) {
    job.begin = Time::max();
    job.lane = kNone;
  }
  if (job.end >= at) job.end = Time::max();
}

/// The marks before `at`, by time.
MarkStore marks_before(const MarkStore& marks, Time at, bool sorted) {
  if (sorted) {
    const std::size_t lo = marks.first_from(at);
    if (lo == marks.size()) return marks;
    MarkStore out;
    out.reserve(lo);
    for (std::size_t i = 0; i < lo; ++i) out.push_back(marks[i]);
    return out;
  }
  std::vector<Mark> kept;
  for (const Mark m : marks) {
    if (m.at < at) kept.push_back(m);
  }
  std::stable_sort(kept.begin(), kept.end(), [](const Mark& a, const Mark& b) { return a.at < b.at; });
  MarkStore out;
  out.reserve(kept.size());
  for (const Mark& m : kept) out.push_back(m);
  return out;
}

/// How many times a mark repeating every `period` from `first` came before `end`.
std::int64_t repeats_before(Time first, Time period, Time end) {
  return end > first ? (end - first - Time{1}).ns() / period.ns() + 1 : 0;
}

}  // namespace

TraceBuilder::TraceBuilder(std::string run_name, std::string executor, std::string gil_mode,
                           Origin origin, int cores, Time switch_interval) {
  trace_.run_name = std::move(run_name);
  trace_.executor = std::move(executor);
  trace_.gil_mode = std::move(gil_mode);
  trace_.origin = origin;
  trace_.cores = cores;
  trace_.switch_interval = switch_interval;
}

void TraceBuilder::add_cores(int count) {
  for (int i = 0; i < count; ++i) {
    core_lanes_.push_back(add_lane(fmt::format("core {}", i), LaneKind::Core, kNone));
  }
}

ProcessId TraceBuilder::add_process(std::string name, bool has_gil) {
  const auto id = static_cast<ProcessId>(trace_.processes.size());
  trace_.processes.push_back(Process{std::move(name), kNone});
  if (has_gil) {
    const std::string gil_name =
        id == 0 ? std::string("GIL") : fmt::format("GIL ({})", trace_.processes[id].name);
    trace_.processes[id].gil_lane = add_lane(gil_name, LaneKind::Gil, id);
  }
  return id;
}

LaneId TraceBuilder::add_lane(std::string name, LaneKind kind, ProcessId process) {
  const auto id = static_cast<LaneId>(trace_.lanes.size());
  trace_.lanes.push_back(Lane{std::move(name), kind, process, {}});
  lanes_.emplace_back();
  lanes_.back().spans.use_arena(arena_);
  return id;
}

std::uint32_t TraceBuilder::add_template(std::string name, StepLabels step_labels) {
  trace_.templates.push_back(JobTemplate{std::move(name), std::move(step_labels)});
  return static_cast<std::uint32_t>(trace_.templates.size() - 1);
}

std::uint32_t TraceBuilder::add_job(std::string name, std::uint32_t template_index,
                                    std::shared_ptr<const std::vector<Time>> step_durations) {
  trace_.jobs.push_back(Job{std::move(name), template_index, Time::max(), Time::max(), kNone, std::move(step_durations)});
  return static_cast<std::uint32_t>(trace_.jobs.size() - 1);
}

void TraceBuilder::job_started(std::uint32_t job, LaneId lane, Time at) {
  auto& j = trace_.jobs.at(job);
  j.begin = at;
  j.lane = lane;
  mark(at, MarkKind::JobStart, lane, job);
}

void TraceBuilder::job_finished(std::uint32_t job, Time at) {
  auto& j = trace_.jobs.at(job);
  j.end = at;
  mark(at, MarkKind::JobEnd, j.lane, job);
}

void TraceBuilder::end_repeating(LaneId lane, Time end) {
  const auto it = std::find_if(repeating_.begin(), repeating_.end(), [&](const Mark& m) { return m.lane == lane; });
  assert(it != repeating_.end() && "end_repeating without begin_repeating on this lane");
  const Mark m = *it;
  repeating_.erase(it);
  const std::int64_t count = repeats_before(m.at, Time{m.value}, end);
  if (count > 0) mark(m.at, m.kind, lane, static_cast<std::uint32_t>(count), m.value);
}

Trace TraceBuilder::finish(Time end) {
  for (LaneId l = 0; l < lanes_.size(); ++l) {
    LaneBuffer& o = lanes_[l];
    clear_state(l, std::max(end, o.span.begin));
    trace_.lanes[l].spans = std::move(o.spans);
  }
  arena_->seal();  // the trace's lanes may grow later, on any thread: from malloc then
  if (!marks_sorted_) trace_.marks.stable_sort_by_time();
  trace_.end = end;
  return std::move(trace_);
}

Trace TraceBuilder::prefix(Time at) const {
  Trace out = trace_.described_alike();
  out.end = at;
  out.simulated_until = at;
  out.processes = trace_.processes;
  out.templates = trace_.templates;
  out.jobs = trace_.jobs;
  for (Job& job : out.jobs) cut_job(job, at);
  out.lanes.reserve(lanes_.size());
  for (LaneId l = 0; l < lanes_.size(); ++l) {
    const LaneBuffer& o = lanes_[l];
    const Lane& lane = trace_.lanes[l];
    out.lanes.push_back(Lane{lane.name, lane.kind, lane.process, {}});
    SpanStore& spans = out.lanes.back().spans;
    // The stored spans, whole while they end by `at`.
    if (!o.spans.empty() && o.spans.back().end <= at) {
      spans = o.spans;
    } else {
      for (const Span& s : o.spans) {
        if (s.begin >= at) break;
        spans.push_back(cut_span(s, at));
      }
    }
    // The open span continues no stored one (set_state() reopened that one instead).
    if (o.span.open && o.span.begin < at) spans.push_back(Span{o.span.begin, at, o.span.subject, o.span.step, o.span.state, 0});
  }
  // A repeating mark not yet ended comes with its repeats so far, where end_repeating()
  // will put it: after the marks recorded at its time (finish() sorts stably).
  bool sorted = marks_sorted_;
  MarkStore with_repeating;
  const MarkStore* marks = &trace_.marks;
  for (const Mark& m : repeating_) {
    const std::int64_t count = repeats_before(m.at, Time{m.value}, at);
    if (count == 0) continue;
    if (marks == &trace_.marks) {
      with_repeating = trace_.marks;
      marks = &with_repeating;
    }
    with_repeating.push(m.at, m.kind, m.lane, static_cast<std::uint32_t>(count), m.value);
    sorted = false;
  }
  out.marks = marks_before(*marks, at, sorted);
  return out;
}

}  // namespace gilsim::trace

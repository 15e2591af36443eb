// Span bookkeeping for producers of traces.
#include "sim/trace/trace_builder.hpp"

#include <algorithm>
#include <cassert>

namespace gilsim::trace {

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

void TraceBuilder::make_room(LaneBuffer& o) {
  static_assert(kPending == 3, "two spans go to the store, the last stays");
  o.spans.append_two(o.pending[0], o.pending[1]);
  o.pending[0] = o.pending[kPending - 1];
  o.pending_count = 1;
}

Trace TraceBuilder::finish(Time end) {
  for (LaneId l = 0; l < lanes_.size(); ++l) {
    LaneBuffer& o = lanes_[l];
    clear_state(l, std::max(end, o.open_begin));
    // A lane whose spans all waited here gets a store of just their size (most lanes of
    // a run of many short threads or tasks).
    if (o.spans.empty()) o.spans.reserve(o.pending_count);
    o.spans.append(o.pending, o.pending_count);
    o.pending_count = 0;
    trace_.lanes[l].spans = std::move(o.spans);
  }
  if (!marks_sorted_) trace_.marks.stable_sort_by_time();
  trace_.end = end;
  return std::move(trace_);
}

}  // namespace gilsim::trace

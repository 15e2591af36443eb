// Builds a Trace incrementally: producers say "lane L is now in state S at time t" and
// the builder closes and opens spans, merging repeats and dropping empty spans.
#pragma once

#include <vector>

#include "sim/trace/trace.hpp"

namespace gilsim::trace {

class TraceBuilder {
 public:
  TraceBuilder(std::string run_name, std::string executor, std::string gil_mode, Origin origin,
               int cores, Time switch_interval);

  /// Adds lanes "core 0".."core N-1"; core lane ids are 0..N-1 when called first.
  void add_cores(int count);
  LaneId core_lane(int core) const { return core_lanes_.at(static_cast<std::size_t>(core)); }

  /// Adds a process; with a GIL it also gets a GIL lane.
  ProcessId add_process(std::string name, bool has_gil);
  LaneId gil_lane(ProcessId p) const { return trace_.processes.at(p).gil_lane; }
  LaneId add_lane(std::string name, LaneKind kind, ProcessId process);

  std::uint32_t add_template(std::string name, std::vector<std::string> step_labels);
  std::uint32_t add_job(std::string name, std::uint32_t template_index, std::vector<Time> step_durations = {});
  void job_started(std::uint32_t job, LaneId lane, Time at);
  void job_finished(std::uint32_t job, Time at);

  /// Lane enters `state` at `at`, closing whatever span was open. Repeating the open
  /// state (same subject and step) changes nothing.
  void set_state(LaneId lane, Time at, SpanState state, std::uint32_t subject = kNone,
                 std::uint16_t step = kNoStep) {
    LaneBuffer& o = lanes_[lane];
    if (o.open && o.span.state == state && o.span.subject == subject && o.span.step == step) return;
    if (o.open) close(o, at);
    o.span = Span{at, at, subject, step, state, 0};
    o.open = true;
  }
  /// Lane becomes idle (no span) from `at`.
  void clear_state(LaneId lane, Time at) {
    LaneBuffer& o = lanes_[lane];
    if (o.open) close(o, at);
  }
  bool has_open_span(LaneId lane) const { return lanes_.at(lane).open; }
  SpanState open_state(LaneId lane) const { return lanes_.at(lane).span.state; }
  std::uint32_t open_subject(LaneId lane) const { return lanes_.at(lane).span.subject; }

  void mark(Time at, MarkKind kind, LaneId lane, std::uint32_t other = kNone, std::int64_t value = 0) {
    trace_.marks.push_back(Mark{at, lane, other, value, kind});
  }

  std::size_t span_count() const { return span_count_; }
  /// The trace so far: its processes, lanes (whose spans arrive at finish()), jobs and marks.
  const Trace& peek() const { return trace_; }

  /// Closes every open span at `end`, sorts marks by time, and hands the trace over.
  Trace finish(Time end);

 private:
  /// What recording a lane touches, in one cache line: its stored spans and its open one
  /// (a producer's lane switch costs one line, not one here and another in trace_.lanes).
  /// The spans move to trace_.lanes at finish().
  struct alignas(64) LaneBuffer {
    Store<Span> spans;
    Span span;  ///< the open span, while `open`
    bool open = false;
  };
  static_assert(sizeof(LaneBuffer) == 64);
  /// Ends the open span at `at` and stores it (the hot set_state() and clear_state() are
  /// inline, in the producers' code; storing a span is not).
  void close(LaneBuffer& o, Time at);
  Trace trace_;
  std::vector<LaneBuffer> lanes_;  ///< by lane
  std::vector<LaneId> core_lanes_;
  std::size_t span_count_ = 0;
};

}  // namespace gilsim::trace

// Builds a Trace incrementally: producers say "lane L is now in state S at time t" and
// the builder closes and opens spans, merging repeats and dropping empty spans.
#pragma once

#include <cassert>
#include <cstdint>
#include <limits>
#include <memory>
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

  std::uint32_t add_template(std::string name, StepLabels step_labels);
  std::uint32_t add_job(std::string name, std::uint32_t template_index,
                        std::shared_ptr<const std::vector<Time>> step_durations = {});
  void job_started(std::uint32_t job, LaneId lane, Time at);
  void job_finished(std::uint32_t job, Time at);

  /// Lane enters `state` at `at`, closing whatever span was open. Repeating the open
  /// state (same subject and step) changes nothing. Always inline: a model's step changes a
  /// span or two, and as a call (which the compiler chose or not with the size of the
  /// engine's unit) it cost lesson 15's threads run 9% more instructions.
  [[gnu::always_inline]] void set_state(LaneId lane, Time at, SpanState state, std::uint32_t subject = kNone,
                 std::uint16_t step = kNoStep) {
    LaneBuffer& o = lanes_[lane];
    Time begin = at;
    if (o.span.open) {
      if (o.span.state == state && o.span.subject == subject && o.span.step == step) return;
      assert(at >= o.span.begin && "time went backwards on a lane; producers must be monotonic per lane");
      if (at > o.span.begin) [[likely]] {
        keep(o, at);  // it differs from the new one: nothing to continue
      } else if (o.spans.back_continues(at, state, subject, step)) {
        begin = reopen(o);  // the open span lasted no time, and the one before it goes on
      }
    } else if (o.spans.back_continues(at, state, subject, step)) {
      begin = reopen(o);  // idle for no time
    }
    o.span.begin = begin;
    o.span.subject = subject;
    o.span.step = step;
    o.span.state = state;
    o.span.open = true;
  }
  /// Lane becomes idle (no span) from `at`.
  [[gnu::always_inline]] void clear_state(LaneId lane, Time at) {
    LaneBuffer& o = lanes_[lane];
    if (!o.span.open) return;
    assert(at >= o.span.begin && "time went backwards on a lane; producers must be monotonic per lane");
    o.span.open = false;
    if (at > o.span.begin) keep(o, at);
  }
  /// set_state() of a lane known to be open in `state` (a thread's lane in a stretch of its
  /// steps after the stretch's first, docs/model.md U4): a new step's labels close the open
  /// span, whose record is written inline (SpanStore::push_inline), and open the next with no
  /// look at the state; the same labels, or a span that lasted no time, as set_state() does.
  [[gnu::always_inline]] void next_labels(LaneId lane, Time at, SpanState state, std::uint32_t subject,
                                          std::uint16_t step) {
    LaneBuffer& o = lanes_[lane];
    assert(o.span.open && o.span.state == state && "next_labels() on a lane not open in that state");
    if (at > o.span.begin && (o.span.step != step || o.span.subject != subject)) [[likely]] {
      o.spans.push_inline(o.span.begin, at, o.span.subject, o.span.step, state);
      o.span.begin = at;
      o.span.subject = subject;
      o.span.step = step;
      return;
    }
    set_state(lane, at, state, subject, step);
  }
  /// clear_state() with the closed span's record written inline (SpanStore::push_inline): a
  /// lock released once per `with` statement in a stretch of steps.
  [[gnu::always_inline]] void clear_state_inline(LaneId lane, Time at) {
    LaneBuffer& o = lanes_[lane];
    if (!o.span.open) return;
    assert(at >= o.span.begin && "time went backwards on a lane; producers must be monotonic per lane");
    o.span.open = false;
    if (at > o.span.begin) {
      o.spans.push_inline(o.span.begin, at, o.span.subject, o.span.step, o.span.state);
    }
  }
  /// The open span of a lane and its store, for a producer's loop that changes the labels of
  /// a lane open in a state span after span as next_labels() does, with the span and the
  /// store's place held in the loop (SharedState's stretches, docs/model.md U4).
  SpanStore::Open& open_span(LaneId lane) { return lanes_[lane].span; }
  SpanStore& lane_spans(LaneId lane) { return lanes_[lane].spans; }
  /// Asks the cache for what recording on `lane` touches, ahead of a change due soon (a
  /// thread woken for the GIL waited its turn behind the others: its lane is cold).
  void prefetch(LaneId lane) const {
    const char* line = reinterpret_cast<const char*>(&lanes_[lane]);
    for (std::size_t at = 0; at < sizeof(LaneBuffer); at += 64) __builtin_prefetch(line + at, 1);
  }
  bool has_open_span(LaneId lane) const { return lanes_.at(lane).span.open; }
  SpanState open_state(LaneId lane) const { return lanes_.at(lane).span.state; }
  std::uint32_t open_subject(LaneId lane) const { return lanes_.at(lane).span.subject; }

  void mark(Time at, MarkKind kind, LaneId lane, std::uint32_t other = kNone, std::int64_t value = 0) {
    if (at < last_mark_at_) [[unlikely]] marks_sorted_ = false;
    last_mark_at_ = at;
    trace_.marks.push(at, kind, lane, other, value);
  }
  /// mark() of a drop request (`requester` asks `holder`'s lane after waiting `wait` ns), then
  /// mark() of the forced switch it causes at the same instant (`holder` switched out after
  /// `held` ns, `woken` signalled): the same two marks, in one call of the store.
  void mark_request_and_switch(Time at, LaneId requester, LaneId holder, std::int64_t wait, std::uint32_t woken,
                               std::int64_t held) {
    if (at < last_mark_at_) [[unlikely]] marks_sorted_ = false;
    last_mark_at_ = at;
    trace_.marks.push_request_and_switch(at, requester, holder, wait, woken, held);
  }

  /// A mark that repeats on `lane` every `period` from `first` until end_repeating(lane, end):
  /// one mark of `kind` at `first`, counting the repeats before `end` in `other` and giving
  /// `period` in `value` (none when no repeat came before `end`). A lane has one at a time.
  /// Until it ends, a prefix holds the repeats so far, the mark cut at the prefix's time as
  /// a span is (its count grows as the run goes on).
  void begin_repeating(Time first, MarkKind kind, LaneId lane, Time period) {
    assert(period > Time::zero());
    repeating_.push_back(Mark{first, lane, kNone, period.ns(), kind});
  }
  void end_repeating(LaneId lane, Time end);

  /// The spans stored so far (before finish()), the open ones not counted: the lanes' stores'
  /// sizes, summed when asked (a count kept at each span cost the producers an instruction a span).
  std::size_t span_count() const {
    std::size_t count = 0;
    for (const LaneBuffer& o : lanes_) count += o.spans.size();
    return count;
  }
  /// The trace so far: its processes, lanes (whose spans arrive at finish()), jobs and marks.
  const Trace& peek() const { return trace_; }

  /// Closes every open span at `end`, sorts marks by time, and hands the trace over.
  Trace finish(Time end);

  /// A copy of the trace as far as it is known at `at` (a time no producer records before
  /// any more): every span that ended before `at`, the spans still open cut there, the marks
  /// before it, the jobs started and finished before it; its `end` and `simulated_until` are
  /// `at`. It is the trace finish() will give, cut at `at` (the builder goes on unchanged).
  Trace prefix(Time at) const;

 private:
  /// What recording a lane touches, in two cache lines: its store (whose own fields keep
  /// what the next span's record is written from, so its cold tail is only written) and its
  /// open span. The spans move to trace_.lanes at finish().
  struct alignas(64) LaneBuffer {
    SpanStore spans;
    SpanStore::Open span;  ///< the open span, while `span.open`
  };
  static_assert(sizeof(LaneBuffer) == 128);

  /// Ends the open span at `at` (after it begins) and stores it.
  [[gnu::always_inline]] void keep(LaneBuffer& o, Time at) {
    o.spans.push_open(o.span, at);
  }
  /// A state re-entered after a zero-length gap (a zero-length span, or idle for no time):
  /// the span it left goes on, taken back from the store. Returns its begin.
  [[gnu::noinline]] Time reopen(LaneBuffer& o) {
    return o.spans.take_back().begin;
  }
  Trace trace_;
  std::vector<LaneBuffer> lanes_;  ///< by lane
  /// Where the lanes' spans' groups after their first come from (sealed at finish()).
  std::shared_ptr<GroupArena> arena_ = std::make_shared<GroupArena>(SpanStore::kGroupBytes);
  std::vector<LaneId> core_lanes_;
  Time last_mark_at_ = Time{std::numeric_limits<std::int64_t>::min()};
  bool marks_sorted_ = true;  ///< marks arrived in time order (a model's do, but for repeating ones)
  std::vector<Mark> repeating_;  ///< begun, not ended: at the first repeat, with the period in `value`
};

}  // namespace gilsim::trace

#include "sim/trace/wake_target.hpp"

#include <algorithm>

namespace gilsim::trace {

namespace {

/// The index of the first span of `spans` that ends at or after `at`.
std::size_t first_ending_from(const SpanStore& spans, Time at) {
  const auto it = std::lower_bound(spans.begin(), spans.end(), at, [](const Span& s, Time v) { return s.end < v; });
  return static_cast<std::size_t>(it - spans.begin());
}

/// The thread of `process` whose wait for a lock goes on in a span of its own from `at`: the
/// model splits a woken waiter's wait where its wake-up begins (docs/model.md L8).
LaneId woken_waiter(const Trace& t, LaneId waker, ProcessId process, Time at) {
  for (LaneId l = 0; l < t.lanes.size(); ++l) {
    const Lane& lane = t.lanes[l];
    if (l == waker || lane.kind != LaneKind::Thread || lane.process != process) continue;
    const std::size_t i = first_ending_from(lane.spans, at);
    if (i + 1 >= lane.spans.size()) continue;
    const Span before = lane.spans[i];
    const Span after = lane.spans[i + 1];
    if (before.end == at && before.state == SpanState::WaitingLock && after.begin == at &&
        after.state == SpanState::WaitingLock) {
      return l;
    }
  }
  return kNone;
}

/// Whether `holder` dropped the GIL at `dropped` because it was forced to, for `taker`: only
/// such a dropper waits on switch_cond for its taker's signal (docs/model.md G8c). A drop of
/// the holder's own (I/O) wakes nobody when the GIL is taken again.
bool forced_out(const Trace& t, LaneId holder, LaneId taker, Time dropped) {
  const MarkStore& marks = t.marks;
  for (std::size_t i = marks.first_from(dropped); i < marks.size() && marks.time_at(i) == dropped; ++i) {
    const Mark m = marks[i];
    if (m.kind == MarkKind::ForcedSwitch && m.lane == holder && m.other == taker) return true;
  }
  return false;
}

}  // namespace

std::optional<WakeTarget> wake_target(const Trace& t, LaneId lane_id, const Span& span) {
  if (span.state != SpanState::Waking || lane_id >= t.lanes.size()) return std::nullopt;
  const Lane& lane = t.lanes[lane_id];
  if (lane.process < t.processes.size()) {
    const LaneId gil = t.processes[lane.process].gil_lane;
    if (gil < t.lanes.size()) {
      const SpanStore& held = t.lanes[gil].spans;
      const std::size_t h = first_ending_from(held, span.begin + Time{1});
      if (h > 0 && h < held.size() && held[h].begin == span.begin && held[h].subject == lane_id &&
          held[h - 1].subject < t.lanes.size() && forced_out(t, held[h - 1].subject, lane_id, held[h - 1].end)) {
        return WakeTarget{.cause = WakeTarget::Cause::GilTake, .woken = held[h - 1].subject};
      }
    }
  }
  for (LaneId l = 0; l < t.lanes.size(); ++l) {
    const SpanStore& held = t.lanes[l].spans;
    if (t.lanes[l].kind != LaneKind::Lock) continue;
    const std::size_t i = first_ending_from(held, span.begin);
    if (i >= held.size() || held[i].end != span.begin || held[i].subject != lane_id) continue;
    WakeTarget target{.cause = WakeTarget::Cause::LockRelease, .lock = l};
    target.woken = woken_waiter(t, lane_id, lane.process, span.begin);
    if (i + 1 < held.size() && held[i + 1].subject < t.lanes.size()) target.next_holder = held[i + 1].subject;
    return target;
  }
  return std::nullopt;
}

}  // namespace gilsim::trace

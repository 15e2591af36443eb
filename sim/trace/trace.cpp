// Names of trace enums and the one-line explanations ("why") of marks and spans.
#include "sim/trace/trace.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <ranges>

#include <fmt/format.h>

#include "sim/trace/outcomes.hpp"
#include "sim/trace/wake_target.hpp"

namespace gilsim::trace {

Trace Trace::described_alike() const {
  Trace out;
  out.run_name = run_name;
  out.executor = executor;
  out.gil_mode = gil_mode;
  out.origin = origin;
  out.measured_by = measured_by;
  out.in_force = in_force;
  out.cores = cores;
  out.switch_interval = switch_interval;
  return out;
}

std::string_view to_string(LaneKind k) {
  switch (k) {
    case LaneKind::Core: return "core";
    case LaneKind::Gil: return "gil";
    case LaneKind::Thread: return "thread";
    case LaneKind::Task: return "task";
    case LaneKind::Lock: return "lock";
  }
  return "?";
}

std::string_view to_string(SpanState s) {
  switch (s) {
    case SpanState::Running: return "running";
    case SpanState::Native: return "native";
    case SpanState::WaitingGil: return "waiting for GIL";
    case SpanState::Runnable: return "waiting for a core";
    case SpanState::BlockedIo: return "blocked on I/O";
    case SpanState::Sleeping: return "sleeping";
    case SpanState::Stalled: return "blocking the loop";
    case SpanState::Starting: return "starting";
    case SpanState::Pickling: return "pickling";
    case SpanState::Waking: return "waking a thread";
    case SpanState::Ready: return "ready";
    case SpanState::Awaiting: return "awaiting";
    case SpanState::WaitingLock: return "waiting for a lock";
    case SpanState::Held: return "held";
  }
  return "?";
}

std::string_view to_string(MarkKind k) {
  switch (k) {
    case MarkKind::GilRequest: return "gil request";
    case MarkKind::DropRequest: return "drop request";
    case MarkKind::ForcedSwitch: return "forced switch";
    case MarkKind::GilHandoff: return "gil handoff";
    case MarkKind::JobStart: return "job start";
    case MarkKind::JobEnd: return "job end";
    case MarkKind::Spawn: return "spawn";
    case MarkKind::Preempt: return "preempt";
    case MarkKind::LoopStall: return "loop stall";
    case MarkKind::Dispatch: return "dispatch";
    case MarkKind::LockWait: return "lock wait";
    case MarkKind::LockTaken: return "lock taken";
    case MarkKind::Deadlock: return "deadlock";
    case MarkKind::LostUpdate: return "lost update";
    case MarkKind::RacesLost: return "races lost";
  }
  return "?";
}

std::string_view to_string(Origin o) { return o == Origin::Simulated ? "simulated" : "measured"; }

std::string pace_difference(const CpuCheck& c) {
  const double off = c.pace() - 1;
  const double percent = 100.0 * std::abs(off);
  const bool reads_as_tolerance = std::round(percent) <= 100.0 * CpuCheck::kPaceTolerance;
  const char* direction = off > 0 ? "slower" : "faster";
  return reads_as_tolerance ? fmt::format("{:.1f}% {}", percent, direction) : fmt::format("{:.0f}% {}", percent, direction);
}

std::string display_name(const Trace& t) {
  if (!t.in_force.empty()) {
    if (t.origin == Origin::Simulated) return fmt::format("{} ({})", t.run_name, t.in_force);
    if (t.measured_by.empty()) return fmt::format("{} ({}, measured)", t.run_name, t.in_force);
    return fmt::format("{} ({}), {} (measured)", t.run_name, t.in_force, t.measured_by);
  }
  if (t.origin == Origin::Simulated) return t.run_name;
  if (t.measured_by.empty()) return fmt::format("{} (measured)", t.run_name);
  return fmt::format("{}, {} (measured)", t.run_name, t.measured_by);
}

namespace {

std::string_view lane_name(const Trace& t, std::uint32_t lane) {
  return lane < t.lanes.size() ? std::string_view(t.lanes[lane].name) : std::string_view("?");
}

std::string_view job_name(const Trace& t, std::uint32_t job) {
  return job < t.jobs.size() ? std::string_view(t.jobs[job].name) : std::string_view("?");
}

/// How many spans of `spans` begin before `at` (with `or_at`, at or before it): a lane's
/// spans begin in order.
std::size_t spans_begun(const SpanStore& spans, Time at, bool or_at) {
  const auto index = std::views::iota(std::size_t{0}, spans.size());
  return *std::ranges::partition_point(index, [&](std::size_t i) {
    return or_at ? spans.begin_at(i) <= at : spans.begin_at(i) < at;
  });
}

/// Whether a span of `spans` begins at `at` with `subject` (spans begin in order and do not
/// overlap, so at most one begins there).
bool span_from(const SpanStore& spans, Time at, std::uint32_t subject) {
  const std::size_t first = spans_begun(spans, at, false);
  return first < spans.size() && spans.begin_at(first) == at && spans[first].subject == subject;
}

/// The spans of the GIL lane of `lane`'s process, in a simulated run; null otherwise (a
/// measured run's GIL lane is inferred: the questions below are not asked of it).
const SpanStore* simulated_gil_spans(const Trace& t, LaneId lane) {
  if (t.origin != Origin::Simulated || lane >= t.lanes.size() || t.lanes[lane].process >= t.processes.size()) return nullptr;
  const LaneId gil = t.processes[t.lanes[lane].process].gil_lane;
  return gil < t.lanes.size() ? &t.lanes[gil].spans : nullptr;
}

/// Whether `lane` holds its process's GIL for some time from `at`: a hold of 0 ns (a thread
/// that takes the GIL and drops it in the same instant, lesson 14's lock taken before its
/// I/O) leaves no span on the GIL lane.
bool holds_gil_from(const Trace& t, LaneId lane, Time at) {
  const SpanStore* spans = simulated_gil_spans(t, lane);
  return spans == nullptr || span_from(*spans, at, lane);
}

/// Whether the last hold of `lane`'s process's GIL that began before `at` is `lane`'s: false
/// where `lane` dropped the GIL as it took it (a hold of 0 ns leaves no span, lesson 14's T1
/// taking the free GIL back from its lock's acquire() to wait in its I/O), so the lane shows
/// another thread as the last holder.
bool last_hold_shown(const Trace& t, LaneId lane, Time at) {
  const SpanStore* spans = simulated_gil_spans(t, lane);
  if (spans == nullptr) return true;
  const std::size_t before = spans_begun(*spans, at, false);
  return before > 0 && (*spans)[before - 1].subject == lane;
}

/// Where a drop request came one interval late (a wait of 1.5 to 2.5 intervals, lesson 08's
/// reader waiting 100 ms at 50 ms): when the holder it asked took the GIL from another
/// thread within the wait, the switch that made the waiter wait another whole interval (G2:
/// its timeout then finds a switch made, and it waits again). Nothing where the wait was
/// longer (several switches), where the waiter had asked before within it, or where the
/// holder took the GIL back from itself (a woken waiter that lost the race, not a switch).
std::optional<Time> interval_restarted_at(const Trace& t, const Mark& m) {
  const Time waited{m.value};
  const SpanStore* spans = simulated_gil_spans(t, m.lane);
  if (spans == nullptr || t.gil_mode != "new" || waited * 2 < t.switch_interval * 3 ||
      waited * 2 >= t.switch_interval * 5) {
    return std::nullopt;
  }
  const std::size_t begun = spans_begun(*spans, m.at, true);
  if (begun < 2 || (*spans)[begun - 1].subject != m.other || (*spans)[begun - 2].subject == m.other) return std::nullopt;
  const Time taken = spans->begin_at(begun - 1);
  if (taken <= m.at - waited) return std::nullopt;
  // An earlier request of its own within the wait: the wait was not one interval late.
  const auto marks = std::views::iota(std::size_t{0}, t.marks.size());
  for (std::size_t i = *std::ranges::partition_point(marks, [&](std::size_t k) { return t.marks.time_at(k) <= m.at - waited; });
       i < t.marks.size() && t.marks.time_at(i) < m.at; ++i) {
    const Mark other = t.marks[i];
    if (other.kind == MarkKind::DropRequest && other.lane == m.lane) return std::nullopt;
  }
  return taken;
}

/// Whether `lane` runs on a core for some time from `at`: a thread given a core that leaves
/// it in the same instant (lesson 17's result handler, woken while the GIL is held) leaves no
/// span on the core lanes, and the thread it preempted goes on there.
bool runs_on_a_core_from(const Trace& t, LaneId lane, Time at) {
  if (t.origin != Origin::Simulated) return true;
  bool cores = false;
  for (const Lane& l : t.lanes) {
    if (l.kind != LaneKind::Core) continue;
    cores = true;
    if (span_from(l.spans, at, lane)) return true;
  }
  return !cores;
}

}  // namespace

std::string describe(const Trace& t, const Mark& m) {
  const auto who = lane_name(t, m.lane);
  const Time value{m.value};
  switch (m.kind) {
    case MarkKind::GilRequest:
      return fmt::format("{} wants the GIL but {} holds it, so {} waits", who, lane_name(t, m.other), who);
    case MarkKind::DropRequest: {
      const auto holder = lane_name(t, m.other);
      if (const auto restarted = interval_restarted_at(t, m)) {
        return fmt::format("{} waited {} for the GIL and asked {} to drop it: {} took the GIL at {}, within {}'s "
                           "wait, so {} waited another whole interval (G2)", who, value, holder, holder, *restarted, who,
                           who);
      }
      return fmt::format("{} waited {} for the GIL and asked {} to drop it", who, value, holder);
    }
    case MarkKind::ForcedSwitch:
      // The old GIL has no drop request: its holder releases it at every check (O1) and a
      // waiter takes it only when it runs then (O3), on one core when the OS gives it the core.
      if (t.gil_mode == "old") {
        return fmt::format("{} took the GIL at one of {}'s checks, after {} had held it {} (the old GIL's holder "
                           "releases it and takes it back at every check, O1){}", lane_name(t, m.other), who, who, value,
                           t.cores == 1 ? fmt::format(", given the core at the end of {}'s time slice (O3)", who)
                                        : std::string(", winning the race for it this time (O3)"));
      }
      return fmt::format("{} dropped the GIL at a check point after {} and {} took it", who, value,
                         lane_name(t, m.other));
    case MarkKind::GilHandoff:
      return fmt::format("{} took the GIL that {} released{}{}", who, lane_name(t, m.other),
                         last_hold_shown(t, m.other, m.at) ? "" : " after holding it for no time",
                         holds_gil_from(t, m.lane, m.at) ? "" : " and dropped it at once");
    case MarkKind::JobStart:
      return fmt::format("{} started {}", who, job_name(t, m.other));
    case MarkKind::JobEnd: {
      if (m.other < t.jobs.size() && t.jobs[m.other].begin != Time::max()) {
        return fmt::format("{} finished {} after {}", who, job_name(t, m.other),
                           t.jobs[m.other].end - t.jobs[m.other].begin);
      }
      return fmt::format("{} finished {}", who, job_name(t, m.other));
    }
    case MarkKind::Spawn:
      return fmt::format("{} started {}, which took {}", who, lane_name(t, m.other), value);
    case MarkKind::Preempt: {
      const bool ran = runs_on_a_core_from(t, m.other, m.at);
      if (m.value == kWokenFirst) {
        return fmt::format("{} lost its core to {}, which had just woken{}: the OS runs a woken thread at once when "
                           "it is owed more CPU time (S3)",
                           who, lane_name(t, m.other), ran ? "" : " and gave it back at once");
      }
      return fmt::format("{} used up its time slice; the OS gave the core to {}{}", who, lane_name(t, m.other),
                         ran ? "" : ", which gave it back at once");
    }
    case MarkKind::LoopStall:
      return fmt::format("{} made a blocking call: the event loop and every other task froze for {}", who, value);
    case MarkKind::Dispatch:
      // A measured pool knows the chunk went on the queue, not which worker took it.
      if (m.other >= t.lanes.size()) {
        return fmt::format("{} put a chunk of {} job{} on the pool's task queue", who, m.value, m.value == 1 ? "" : "s");
      }
      return fmt::format("{} sent a chunk of {} job{} to {}", who, m.value, m.value == 1 ? "" : "s",
                         lane_name(t, m.other));
    case MarkKind::LockWait: {
      const bool task = m.lane < t.lanes.size() && t.lanes[m.lane].kind == LaneKind::Task;
      return fmt::format("{} wants {} but {} holds it: {} {}", who, lane_name(t, m.other),
                         lane_name(t, static_cast<std::uint32_t>(m.value)), who,
                         task ? "yields to the event loop until it is free" : "waits for it without the GIL");
    }
    case MarkKind::LockTaken:
      return fmt::format("{} took {} after waiting {}", who, lane_name(t, m.other), value);
    case MarkKind::Deadlock:
      return fmt::format("deadlock: {} waits for {}, held by {}", who, lane_name(t, m.other),
                         lane_name(t, static_cast<std::uint32_t>(m.value)));
    case MarkKind::LostUpdate: {
      const std::string_view counter = m.other < t.counters.size() ? std::string_view(t.counters[m.other].name) : "?";
      // Not "N updates lost": stale stores overlap (a store may write over one that had
      // already lost those updates), so the marks do not add up to the counter's loss, which
      // the run's header and table give.
      return fmt::format("{} stored {} from a stale load, writing over {} store{} made since it loaded", who, counter,
                         group_digits(m.value), m.value == 1 ? "" : "s");
    }
    case MarkKind::RacesLost:
      return fmt::format("{} released the GIL every {} and took it back: {} time{} a woken waiter lost the race and "
                         "slept again",
                         who, value, m.other, m.other == 1 ? "" : "s");
  }
  return std::string(to_string(m.kind));
}

std::string describe(const Trace& t, const Lane& lane, const Span& span) {
  std::string what = fmt::format("{} {}", lane.name, to_string(span.state));
  // A wake names whom it wakes: its step alone ("reader, step 1: io 1ms") read as that I/O.
  // (`lane` is one of t's, as every caller passes it; a lane from elsewhere has no index here.)
  const std::less<const Lane*> before;
  const bool ours = !t.lanes.empty() && !before(&lane, t.lanes.data()) && before(&lane, t.lanes.data() + t.lanes.size());
  const auto wake = ours && span.state == SpanState::Waking
                        ? wake_target(t, static_cast<LaneId>(&lane - t.lanes.data()), span)
                        : std::nullopt;
  if (wake) {
    const bool named = wake->woken < t.lanes.size();
    const std::string woken = named ? t.lanes[wake->woken].name : "a thread";
    if (wake->cause == WakeTarget::Cause::GilTake) {
      what = fmt::format("{} waking {} (forced to drop the GIL, which {} has just taken)", lane.name, woken, lane.name);
    } else {
      // The next holder where it is not the thread woken (the releaser itself, back first: L3).
      const bool other_next = wake->next_holder < t.lanes.size() && wake->next_holder != wake->woken;
      what = fmt::format("{} waking {} (asleep on {}{})", lane.name, woken, t.lanes[wake->lock].name,
                         other_next ? fmt::format("; {} holds it next", t.lanes[wake->next_holder].name) : "");
    }
  }
  if (lane.kind == LaneKind::Core || lane.kind == LaneKind::Gil || lane.kind == LaneKind::Lock) {
    if (span.subject != kNone) what += fmt::format(" by {}", lane_name(t, span.subject));
    return what;
  }
  if (span.subject != kNone && span.subject < t.jobs.size()) {
    const Job& job = t.jobs[span.subject];
    what += fmt::format(", {}", job.name);
    if (span.step != kNoStep && job.template_index < t.templates.size()) {
      const auto& labels = t.templates[job.template_index].step_labels;
      if (span.step < labels.size()) what += fmt::format(", step {}: {}", span.step + 1, labels[span.step]);
    }
  }
  return what;
}

}  // namespace gilsim::trace

// Metrics of a run, read from its lanes, spans and marks.
#include "sim/trace/metrics.hpp"

#include <algorithm>

namespace gilsim::trace {

namespace {

/// The part of a span inside [0, end): producers close spans at end, but readers
/// of measured traces should not trust that.
Time clipped_duration(const Span& s, Time end) {
  const Time b = max(s.begin, Time::zero());
  const Time e = min(s.end, end);
  return e > b ? e - b : Time::zero();
}

bool uses_a_core(SpanState s) {
  return s == SpanState::Running || s == SpanState::Native || s == SpanState::Pickling;
}

double ratio(Time part, Time whole_per_unit, std::int64_t units) {
  if (units <= 0 || whole_per_unit <= Time::zero()) return 0.0;
  return static_cast<double>(part.ns()) / (static_cast<double>(whole_per_unit.ns()) * static_cast<double>(units));
}

/// Every lane's spans read once, in order (a big run has millions): the cores' busy time, the GIL's
/// holding and switches, the threads' waits for the GIL and the threads' and tasks' waits
/// for locks; into `gil_waits`, when given, the threads' waits for the GIL by process.
void add_lane_figures(const Trace& t, Metrics& m, std::vector<GilWaitEdges>* gil_waits) {
  Time busy_on_cores, busy_on_threads, held;
  // The threads' running time counts only where there are no cores to count.
  const bool has_core_lanes =
      std::any_of(t.lanes.begin(), t.lanes.end(), [](const Lane& lane) { return lane.kind == LaneKind::Core; });
  for (const Lane& lane : t.lanes) {
    switch (lane.kind) {
      case LaneKind::Core:
        lane.spans.for_each([&](const Span& s) { busy_on_cores += clipped_duration(s, t.end); });
        break;
      case LaneKind::Gil: {
        ++m.gil_lanes;
        std::uint32_t previous_holder = kNone;
        lane.spans.for_each([&](const Span& s) {
          if (s.state != SpanState::Held) return;
          held += clipped_duration(s, t.end);
          if (previous_holder != kNone && s.subject != previous_holder) ++m.gil_switches;
          previous_holder = s.subject;
        });
        break;
      }
      case LaneKind::Thread: {
        GilWaitEdges* waits = gil_waits != nullptr && lane.process < gil_waits->size() ? &(*gil_waits)[lane.process] : nullptr;
        if (waits != nullptr) waits->lane_starts.push_back(waits->edges.size());
        Time current_wait;
        Time current_wait_end = Time::max();
        lane.spans.for_each([&](const Span& s) {
          if (uses_a_core(s.state)) {
            if (!has_core_lanes) busy_on_threads += clipped_duration(s, t.end);
          } else if (s.state == SpanState::WaitingGil) {
            const Time d = clipped_duration(s, t.end);
            m.gil_wait_total += d;
            // Touching waiting spans (the step changed mid-wait) are one wait.
            current_wait = s.begin == current_wait_end ? current_wait + d : d;
            current_wait_end = s.end;
            m.longest_gil_wait = max(m.longest_gil_wait, current_wait);
            if (waits != nullptr) {
              waits->edges.push_back({s.begin, +1});
              waits->edges.push_back({s.end, -1});
            }
          } else if (s.state == SpanState::WaitingLock) {
            m.lock_wait_total += clipped_duration(s, t.end);
          }
        });
        break;
      }
      case LaneKind::Task:
        lane.spans.for_each([&](const Span& s) {
          if (s.state == SpanState::WaitingLock) m.lock_wait_total += clipped_duration(s, t.end);
        });
        break;
      case LaneKind::Lock:
        break;
    }
  }
  const Time busy = has_core_lanes ? busy_on_cores : busy_on_threads;
  m.core_utilisation = std::min(1.0, ratio(busy, t.end, t.cores));
  m.gil_held = ratio(held, t.end, m.gil_lanes);
}

void add_job_times(const Trace& t, Metrics& m) {
  m.jobs_total = static_cast<std::int64_t>(t.jobs.size());
  Time latency_sum, completion_sum;
  for (const Job& job : t.jobs) {
    if (job.end == Time::max()) continue;
    ++m.jobs_done;
    completion_sum += job.end;
    if (job.begin != Time::max()) latency_sum += job.end - job.begin;
  }
  if (m.jobs_done > 0) {
    m.mean_job_latency = latency_sum / m.jobs_done;
    m.mean_job_completion = completion_sum / m.jobs_done;
  }
}

Metrics metrics_of(const Trace& trace, std::vector<GilWaitEdges>* gil_waits) {
  Metrics m;
  m.makespan = trace.end;
  add_lane_figures(trace, m, gil_waits);
  add_job_times(trace, m);
  trace.marks.for_each([&m](std::size_t, const Mark& mark) {  // the kinds alone are read
    if (mark.kind == MarkKind::DropRequest) ++m.drop_requests;
    if (mark.kind == MarkKind::ForcedSwitch) ++m.forced_switches;
  });
  return m;
}

}  // namespace

Metrics compute_metrics(const Trace& trace) { return metrics_of(trace, nullptr); }

Metrics compute_metrics(const Trace& trace, std::vector<GilWaitEdges>& gil_waits) {
  gil_waits.assign(trace.processes.size(), GilWaitEdges{});
  return metrics_of(trace, &gil_waits);
}

double speedup(const Metrics& baseline, const Metrics& m) {
  if (baseline.makespan <= Time::zero() || m.makespan <= Time::zero()) return 0.0;
  return static_cast<double>(baseline.makespan.ns()) / static_cast<double>(m.makespan.ns());
}

}  // namespace gilsim::trace

// Metrics of a run, read from its lanes, spans and marks.
#include "sim/trace/metrics.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace gilsim::trace {

namespace {

double ratio(Time part, Time whole_per_unit, std::int64_t units) {
  if (units <= 0 || whole_per_unit <= Time::zero()) return 0.0;
  return static_cast<double>(part.ns()) / (static_cast<double>(whole_per_unit.ns()) * static_cast<double>(units));
}

/// Changes of holder between a GIL lane's consecutive holds, fed in time order.
struct HolderChanges {
  std::uint32_t previous = kNone;
  std::int64_t count = 0;
  /// Whether this hold changed the holder.
  bool see(std::uint32_t holder) {
    const bool changed = previous != kNone && holder != previous;
    count += changed ? 1 : 0;
    previous = holder;
    return changed;
  }
};

/// Every lane's spans read once, in order (a big run has millions): the cores' busy time, the GIL's
/// holding and switches, and the tasks' waits for locks; the thread lanes' into `threads`
/// unless `threads_read` (they were fed to it already).
void add_lane_figures(const Trace& t, Metrics& m, ThreadLaneFigures& threads, bool threads_read) {
  Time busy_on_cores, busiest_held;
  bool has_core_lanes = false;
  for (LaneId l = 0; l < t.lanes.size(); ++l) {
    const Lane& lane = t.lanes[l];
    switch (lane.kind) {
      case LaneKind::Core:
        has_core_lanes = true;
        lane.spans.for_each([&](const Span& s) { busy_on_cores += clipped_duration(s, t.end); });
        break;
      case LaneKind::Gil: {
        ++m.gil_lanes;
        HolderChanges changes;
        Time held;
        lane.spans.for_each([&](const Span& s) {
          if (s.state != SpanState::Held) return;
          held += clipped_duration(s, t.end);
          changes.see(s.subject);
        });
        m.gil_switches += changes.count;
        if (m.gil_held_lane == kNone || held > busiest_held) {
          busiest_held = held;
          m.gil_held_lane = l;
        }
        break;
      }
      case LaneKind::Thread:
        if (threads_read) break;
        threads.start_lane(lane);
        lane.spans.for_each([&threads](const Span& s) { threads.see(s); });
        break;
      case LaneKind::Task:
        lane.spans.for_each([&](const Span& s) {
          if (s.state == SpanState::WaitingLock) m.lock_wait_total += clipped_duration(s, t.end);
        });
        break;
      case LaneKind::Lock:
        break;
    }
  }
  m.gil_held = ratio(busiest_held, t.end, m.gil_lanes > 0 ? 1 : 0);  // a lane's spans do not overlap: <= 1
  m.core_utilisation = has_core_lanes ? std::min(1.0, ratio(busy_on_cores, t.end, t.cores)) : 0.0;
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

/// The figures of `trace`; the thread lanes' and the marks' only if not read apart.
Metrics metrics_of(const Trace& trace, ThreadLaneFigures& threads, bool threads_read, bool marks_read = false) {
  Metrics m;
  m.makespan = trace.end;
  add_lane_figures(trace, m, threads, threads_read);
  threads.add_to(m, trace);
  // A run of gilsim's real executor draws a thread running from a step's start to its end,
  // through any time the OS gave its core to another program: its cores were not busy for
  // it beyond the CPU time it really got (CpuCheck::got, its process's and workers').
  if (trace.origin == Origin::Measured && trace.measured_by.empty() && trace.cpu_check.checked &&
      trace.cpu_check.got > Time::zero()) {
    m.core_utilisation = std::min(m.core_utilisation, ratio(trace.cpu_check.got, trace.end, trace.cores));
  }
  add_job_times(trace, m);
  if (!marks_read) {
    MarkFigures marks;
    trace.marks.for_each([&marks](std::size_t, const Mark& mark) { marks.see(mark); });  // the kinds alone are read
    marks.add_to(m);
  }
  return m;
}

}  // namespace

ThreadLaneFigures::ThreadLaneFigures(const Trace& trace, std::vector<GilWaitEdges>* gil_waits, LaneId first_lane,
                                     LaneId end_lane)
    : end_(trace.end),
      count_running_(std::none_of(trace.lanes.begin(), trace.lanes.end(),
                                  [](const Lane& lane) { return lane.kind == LaneKind::Core; })),
      gil_waits_(gil_waits) {
  if (gil_waits == nullptr) return;
  gil_waits->assign(trace.processes.size(), GilWaitEdges{});
  // Room for an edge per span (a wait every other span), reserved: pages never written cost
  // nothing, where a list of millions grown by doubling wrote its pages twice and more.
  std::vector<std::size_t> room(trace.processes.size());
  for (LaneId l = first_lane; l < trace.lanes.size() && l < end_lane; ++l) {
    const Lane& lane = trace.lanes[l];
    if (lane.kind == LaneKind::Thread && lane.process < room.size()) room[lane.process] += lane.spans.size() + 1;
  }
  for (std::size_t p = 0; p < room.size(); ++p) (*gil_waits)[p].edges.reserve(room[p]);
  edges_room_.resize(room.size());
}

void ThreadLaneFigures::start_lane(const Lane& lane) {
  waits_ = gil_waits_ != nullptr && lane.process < gil_waits_->size() ? &(*gil_waits_)[lane.process] : nullptr;
  if (waits_ != nullptr) {
    // Resident ahead of the lane's edges: one a span while its waits do not touch (they never
    // do in a model's run), two for each wait.
    edges_room_[lane.process].up_to(waits_->edges, waits_->edges.size() + lane.spans.size() + 1);
  }
  current_wait_ = Time::zero();
  current_wait_end_ = Time::max();
}

void ThreadLaneFigures::add_to(Metrics& m, const Trace& trace) const {
  m.gil_wait_total += gil_wait_total_;
  m.longest_gil_wait = max(m.longest_gil_wait, longest_gil_wait_);
  m.lock_wait_total += lock_wait_total_;
  if (count_running_) m.core_utilisation = std::min(1.0, ratio(busy_, trace.end, trace.cores));
}

void ThreadLaneFigures::add(const ThreadLaneFigures& other) {
  busy_ += other.busy_;
  gil_wait_total_ += other.gil_wait_total_;
  longest_gil_wait_ = max(longest_gil_wait_, other.longest_gil_wait_);
  lock_wait_total_ += other.lock_wait_total_;
}

void ThreadLaneFigures::see_gil_wait(const Span& s) {
  const Time d = clipped(s);
  gil_wait_total_ += d;
  // Touching waiting spans (the step changed mid-wait) are one wait.
  current_wait_ = s.begin == current_wait_end_ ? current_wait_ + d : d;
  current_wait_end_ = s.end;
  longest_gil_wait_ = max(longest_gil_wait_, current_wait_);
  if (waits_ != nullptr) {
    waits_->edges.push_back({s.begin, +1});
    waits_->edges.push_back({s.end, -1});
  }
}

Metrics compute_metrics(const Trace& trace) {
  ThreadLaneFigures threads(trace, nullptr);
  return metrics_of(trace, threads, false);
}

Metrics compute_metrics(const Trace& trace, std::vector<GilWaitEdges>& gil_waits) {
  ThreadLaneFigures threads(trace, &gil_waits);
  return metrics_of(trace, threads, false);
}

std::int64_t gil_switches_to_holds_under(const Trace& trace, Time brief) {
  std::int64_t switches = 0;
  for (const Lane& lane : trace.lanes) {
    if (lane.kind != LaneKind::Gil) continue;
    HolderChanges changes;
    lane.spans.for_each([&](const Span& s) {
      if (s.state == SpanState::Held && changes.see(s.subject) && clipped_duration(s, trace.end) < brief) ++switches;
    });
  }
  return switches;
}

Metrics compute_metrics_but_thread_lanes(const Trace& trace) {
  ThreadLaneFigures none(trace, nullptr);  // fed nothing: adds zeros
  return metrics_of(trace, none, true);
}

Metrics compute_metrics_but_thread_lanes_and_marks(const Trace& trace) {
  ThreadLaneFigures none(trace, nullptr);  // fed nothing: adds zeros
  return metrics_of(trace, none, true, true);
}

double speedup(const Metrics& baseline, const Metrics& m) {
  if (baseline.makespan <= Time::zero() || m.makespan <= Time::zero()) return 0.0;
  return static_cast<double>(baseline.makespan.ns()) / static_cast<double>(m.makespan.ns());
}

std::optional<std::size_t> speedup_baseline(const std::vector<const Trace*>& runs, std::size_t run) {
  const Trace& r = *runs.at(run);
  const auto first_simulated =
      std::find_if(runs.begin(), runs.end(), [](const Trace* t) { return t->origin == Origin::Simulated; });
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const Trace& t = *runs[i];
    if (t.origin != r.origin || t.measured_by != r.measured_by) continue;
    if (first_simulated == runs.end() || t.run_name == (*first_simulated)->run_name) return i;
  }
  return std::nullopt;
}

std::string format_speedup(double speedup) {
  if (!(speedup > 0.0) || speedup >= 0.1 || !std::isfinite(speedup)) return fmt::format("{:.2f}x", speedup);
  const int decimals = 1 - static_cast<int>(std::floor(std::log10(speedup)));
  return fmt::format("{:.{}f}x", speedup, decimals);
}

}  // namespace gilsim::trace

// The numbers of a run, computed from its Trace alone, so a simulated and a measured run
// are measured the same way. Every table, export and view takes its figures from here.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "sim/trace/room_populated.hpp"
#include "sim/trace/trace.hpp"

namespace gilsim::trace {

struct Metrics {
  Time makespan;                     ///< trace.end: when the last job finished
  std::int64_t jobs_total = 0;
  std::int64_t jobs_done = 0;        ///< jobs with an end time
  /// Busy time on core lanes / (cores * makespan), 0..1. A trace without core lanes
  /// (measured runs cannot see cores) counts thread time running, native or pickling.
  double core_utilisation = 0.0;
  std::int64_t gil_lanes = 0;        ///< one per process with a GIL; 0 when every process runs without one
  /// The busiest GIL's held time / makespan, 0..1. One interpreter: how much of the run its
  /// GIL was held. Several (a process pool: each process has its own GIL, docs/model.md P1):
  /// the GIL held the longest, never a mean over the GILs, where idle workers' GILs would
  /// drag a worker's 97% down to "43%" and read as a GIL shared at 43%. A GIL is held only by
  /// its own process's threads, so no process waits for another's.
  double gil_held = 0.0;
  LaneId gil_held_lane = kNone;      ///< that GIL's lane (the first of equals); kNone without GIL lanes
  Time gil_wait_total;               ///< time thread lanes spent waiting for the GIL
  Time longest_gil_wait;             ///< the longest unbroken wait of one thread
  Time lock_wait_total;              ///< time thread and task lanes spent waiting for a user lock
  std::int64_t gil_switches = 0;     ///< changes of holder between consecutive Held spans
  std::int64_t drop_requests = 0;    ///< DropRequest marks
  std::int64_t forced_switches = 0;  ///< ForcedSwitch marks
  Time mean_job_latency;             ///< mean of (end - begin) over finished jobs
  Time mean_job_completion;          ///< mean of end (from the run's start) over finished jobs

  /// False for a run that stopped before its last job (a deadlock): it has no speedup.
  bool finished() const { return jobs_done == jobs_total; }
};

/// One process's thread lanes' waits for the GIL as compute_metrics reads them: each wait
/// span's begin (+1) and end (-1), lane after lane in the lanes' order (sorted within a
/// lane, whose spans do not overlap; not across lanes).
struct GilWaitEdges {
  std::vector<std::pair<Time, int>> edges;
};

/// The part of a span inside [0, end): producers close spans at end, but readers of
/// measured traces should not trust that.
inline Time clipped_duration(const Span& s, Time end) {
  const Time b = max(s.begin, Time::zero());
  const Time e = min(s.end, end);
  return e > b ? e - b : Time::zero();
}

/// What compute_metrics adds up from a run's thread lanes, fed span by span: the GIL waits,
/// the lock waits, and the running time where there are no core lanes. A reader that decodes
/// the thread spans for its own needs (the viewer's indexing) feeds them here, and
/// compute_metrics then reads no thread span again.
class ThreadLaneFigures {
 public:
  /// For `trace`; each process's GIL waits go to `gil_waits`, one per process (null: the
  /// waits are summed, their edges not kept). Fed the thread lanes from `first_lane` up to
  /// `end_lane` (those its edges have room for), or all of them.
  ThreadLaneFigures(const Trace& trace, std::vector<GilWaitEdges>* gil_waits, LaneId first_lane = 0,
                    LaneId end_lane = kNone);
  /// Before the spans of thread lane `lane` (the lanes in their order).
  void start_lane(const Lane& lane);
  /// The figures fed so far, added to `m` (compute_metrics' of `trace`, the one fed).
  void add_to(Metrics& m, const Trace& trace) const;
  /// The figures `other` was fed, of other lanes of the same trace, added to these (a trace's
  /// thread lanes read in parts on several threads).
  void add(const ThreadLaneFigures& other);
  /// Each span of that lane, in order.
  void see(const Span& s) {
    if (s.state == SpanState::Running || s.state == SpanState::Native || s.state == SpanState::Pickling ||
        s.state == SpanState::Waking) {
      if (count_running_) busy_ += clipped(s);
    } else if (s.state == SpanState::WaitingGil) {
      see_gil_wait(s);
    } else if (s.state == SpanState::WaitingLock) {
      lock_wait_total_ += clipped(s);
    }
  }

 private:
  Time clipped(const Span& s) const { return clipped_duration(s, end_); }
  void see_gil_wait(const Span& s);

  Time end_;
  bool count_running_;  ///< a trace without core lanes counts its threads' running time
  std::vector<GilWaitEdges>* gil_waits_;  ///< null: no edges kept
  GilWaitEdges* waits_ = nullptr;  ///< the lane's process's
  std::vector<RoomPopulated<std::pair<Time, int>>> edges_room_;  ///< per process: its edges' room made resident
  Time busy_, gil_wait_total_, longest_gil_wait_, lock_wait_total_;
  Time current_wait_, current_wait_end_ = Time::max();
};

Metrics compute_metrics(const Trace& trace);
/// compute_metrics, and in the same reading of the spans each process's GIL waits
/// (`gil_waits`, one per process): the viewer's contention band reads no span again.
Metrics compute_metrics(const Trace& trace, std::vector<GilWaitEdges>& gil_waits);
/// Of Metrics::gil_switches, those to a hold shorter than `brief`. A real thread takes the GIL
/// for a few microseconds between two calls that release it; the model's takes there last
/// 0 ns and draw no hold (the prediction table counts these on both sides).
std::int64_t gil_switches_to_holds_under(const Trace& trace, Time brief);
/// compute_metrics without the thread lanes' figures, for a reader that feeds its thread
/// spans to a ThreadLaneFigures and adds them with its add_to() (the two readings can run
/// at once, on two threads).
Metrics compute_metrics_but_thread_lanes(const Trace& trace);

/// What compute_metrics counts of a run's marks, fed mark by mark: a reader that reads the
/// marks for its own needs (the viewer's indexing) feeds them here and adds them with add_to().
struct MarkFigures {
  std::int64_t drop_requests = 0, forced_switches = 0;
  void see(const Mark& mark) {
    drop_requests += mark.kind == MarkKind::DropRequest ? 1 : 0;
    forced_switches += mark.kind == MarkKind::ForcedSwitch ? 1 : 0;
  }
  void add_to(Metrics& m) const {
    m.drop_requests += drop_requests;
    m.forced_switches += forced_switches;
  }
};
/// compute_metrics_but_thread_lanes without the marks' figures either, for a reader that feeds
/// the marks to a MarkFigures and adds them with its add_to().
Metrics compute_metrics_but_thread_lanes_and_marks(const Trace& trace);

/// baseline.makespan / m.makespan; 0 when either makespan is zero.
double speedup(const Metrics& baseline, const Metrics& m);
/// The run whose makespan `runs[run]`'s speedup divides, like with like, in the command line's
/// table and the viewer's alike: for a simulated run, the first simulated run; for a measured
/// run, the run of that same name measured the same way (gilsim's executors, or the same
/// CPython: measured_by), never a prediction. With no simulated run among `runs` (measured
/// runs alone), the first run measured the same way. nullopt when that run was not measured.
/// `runs` in the order shown, the scenario's first run first.
std::optional<std::size_t> speedup_baseline(const std::vector<const Trace*>& runs, std::size_t run);
/// A speed-up as the tables print it, in the command line and the viewer alike: two decimals
/// ("0.99x"), and two significant digits below 0.1x ("0.0018x"), so a run hundreds of times
/// slower does not read as "0.00x".
std::string format_speedup(double speedup);

}  // namespace gilsim::trace

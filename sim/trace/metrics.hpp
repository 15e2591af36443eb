// The numbers of a run, computed from its Trace alone, so a simulated and a measured run
// are measured the same way. Every table, export and view takes its figures from here.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "sim/trace/trace.hpp"

namespace gilsim::trace {

struct Metrics {
  Time makespan;                     ///< trace.end: when the last job finished
  std::int64_t jobs_total = 0;
  std::int64_t jobs_done = 0;        ///< jobs with an end time
  /// Busy time on core lanes / (cores * makespan), 0..1. A trace without core lanes
  /// (measured runs cannot see cores) counts thread time running, native or pickling.
  double core_utilisation = 0.0;
  std::int64_t gil_lanes = 0;        ///< 0 when every process runs without a GIL
  double gil_held = 0.0;             ///< Held time / (gil_lanes * makespan), 0..1
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
/// span's begin (+1) and end (-1), lane after lane in the lanes' order, and where each lane's
/// edges begin (a lane's spans do not overlap, so its edges come sorted).
struct GilWaitEdges {
  std::vector<std::pair<Time, int>> edges;
  std::vector<std::size_t> lane_starts;
};

Metrics compute_metrics(const Trace& trace);
/// compute_metrics, and in the same reading of the spans each process's GIL waits
/// (`gil_waits`, one per process): the viewer's contention band reads no span again.
Metrics compute_metrics(const Trace& trace, std::vector<GilWaitEdges>& gil_waits);

/// baseline.makespan / m.makespan; 0 when either makespan is zero.
double speedup(const Metrics& baseline, const Metrics& m);

}  // namespace gilsim::trace

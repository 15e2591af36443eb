// Busy-machine honesty: how much CPU a measured run needed and how much it really got, so
// that a run slowed by other programs is flagged instead of blamed on the model.
#pragma once

#include <utility>
#include <vector>

#include "sim/trace/trace.hpp"

namespace gilsim::real {

/// CPU time (user and system) of getrusage(who): RUSAGE_SELF or RUSAGE_CHILDREN.
Time cpu_of(int who);

/// CPU time used so far by this process and its reaped children, and the load average.
struct CpuSnapshot {
  Time own;
  Time children;
  double load_average = 0;  ///< 1-minute, from /proc/loadavg (0 when unreadable)
  int runnable = 0;         ///< threads ready to run on the machine, this one included (/proc/stat)
};

CpuSnapshot take_cpu_snapshot();
/// The same, with `runnable` the median of a few samples a millisecond apart, taken while
/// only the calling thread of this process runs (just before a run starts): it first waits,
/// two seconds at most, until no other thread of this process is ready to run.
CpuSnapshot take_cpu_snapshot_before_run();
/// Threads of this process, the caller aside, running or ready to run (/proc/self/task).
int own_other_threads_ready();

/// The CPUs (0 to cores - 1) each pinned lane may run on (docs/model.md S9); a lane not
/// listed may run on every core.
using LanePins = std::vector<std::pair<trace::LaneId, std::vector<int>>>;

/// What `t`'s threads needed of the CPUs: at each instant, min(thread lanes computing
/// (Running, Native or Pickling), the CPUs they may use). The CPUs they may use are the CPUs
/// of the computing pinned lanes' pins together, plus one per computing lane that is not
/// pinned, at most t.cores: two busy threads pinned to one CPU need one CPU's worth.
struct CpuNeed {
  Time total;    ///< that minimum integrated over the run: the CPU time they needed
  int peak = 0;  ///< its largest value: a sequential run needs one CPU whatever its cores
  /// Thread time computing beyond those CPUs: the waits for a core the workload makes itself.
  Time beyond;
};
CpuNeed cpu_need(const trace::Trace& t, const LanePins& pins = {});

/// Fills t.cpu_check from the snapshots taken just before and just after the run on a
/// machine with `machine_cpus` CPUs (its own_waits from cpu_need's `beyond`).
void check_cpu(trace::Trace& t, const CpuSnapshot& before, const CpuSnapshot& after, int machine_cpus,
               const LanePins& pins = {});

}  // namespace gilsim::real

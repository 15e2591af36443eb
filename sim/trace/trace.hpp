// The contract between producers (model, real executors) and readers (metrics, exports,
// command line, viewer). A Trace is one run: lanes of sorted, non-overlapping spans, plus
// instant marks. Readers never need to know whether a run was simulated or measured.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/trace/mark.hpp"
#include "sim/trace/mark_store.hpp"
#include "sim/trace/span.hpp"
#include "sim/trace/span_store.hpp"
#include "sim/trace/step_labels.hpp"
#include "sim/trace/store.hpp"
#include "sim/trace/time.hpp"

namespace gilsim::trace {

using ProcessId = std::uint32_t;

enum class LaneKind : std::uint8_t {
  Core,    ///< a CPU core; spans say which thread runs on it
  Gil,     ///< one interpreter's GIL; spans say who holds it
  Thread,  ///< an OS thread (main, threading.Thread, pool thread, loop thread, worker's thread)
  Task,    ///< an asyncio task (runs on its loop's thread)
  Lock,    ///< a user lock (threading, asyncio or multiprocessing); spans say who holds it
};

struct Lane {
  std::string name;  ///< short, as shown in a row header: "core 0", "GIL", "T1", "task 3"
  LaneKind kind = LaneKind::Thread;
  ProcessId process = kNone;  ///< kNone for cores (they belong to the machine)
  SpanStore spans;            ///< sorted by begin, non-overlapping; gaps mean idle/free; 12 bytes a span
};

struct Process {
  std::string name;                 ///< "main", "worker 1"
  LaneId gil_lane = kNone;          ///< its GIL lane, kNone when it runs without a GIL
};

/// The name of a spawn pool's resource tracker process (and of its thread): a child process
/// that runs no job, which views tell apart from the pool's workers.
inline constexpr std::string_view kResourceTracker = "resource tracker";
/// A run's GIL as the command line and the viewer word it: "new GIL", "old GIL", "no GIL"
/// (the viewer's "GIL none" beside the command line's "no GIL" read as two things).
inline std::string gil_words(std::string_view gil_mode) {
  return gil_mode == "none" ? std::string("no GIL") : std::string(gil_mode) + " GIL";
}

/// The name of a forkserver's server process (and of its thread), which forks the workers.
inline constexpr std::string_view kForkserver = "forkserver";
/// A process multiprocessing starts for itself, not for a job: the resource tracker, the forkserver.
inline bool multiprocessing_helper(std::string_view process_name) {
  return process_name == kResourceTracker || process_name == kForkserver;
}

/// How the name of a job's peer process begins ("peer of client"): the process at the other
/// end of its socket, whose every native span is a step's answer (docs/model.md S9).
inline constexpr std::string_view kPeerOf = "peer of ";

inline bool is_peer(const Process& p) { return p.name.starts_with(kPeerOf); }

/// What a kind of job does, for labels: "crunch" with steps {"cpu 100 ms"}.
struct JobTemplate {
  std::string name;
  StepLabels step_labels;  ///< shared by the traces of one scenario
};

struct Job {
  std::string name;       ///< "crunch 3"
  std::uint32_t template_index = 0;
  Time begin = Time::max();
  Time end = Time::max();  ///< Time::max() while not finished
  LaneId lane = kNone;     ///< the thread or task lane that ran it
  /// As the job plan drew them, one per step (shared by the runs of one plan); null when not recorded.
  std::shared_ptr<const std::vector<Time>> step_durations;
};

/// A shared counter at the end of a run: how many `+= 1` ran and what is left of them.
struct Counter {
  std::string name;
  std::int64_t initial = 0;
  std::int64_t final_value = 0;
  std::int64_t updates = 0;  ///< increments that ran to their store

  std::int64_t expected() const { return initial + updates; }
  std::int64_t lost() const { return expected() - final_value; }
};

enum class Origin : std::uint8_t { Simulated, Measured };

/// A measured run on a shared machine: did it get the CPU it needed, and did that CPU run at
/// the speed the run was planned for? Readers (the command line's table, the fidelity
/// report, the viewer) flag a run that did not, rather than present its prediction error as
/// the model's.
struct CpuCheck {
  bool checked = false;     ///< measured runs only
  double load_average = 0;  ///< the machine's 1-minute load average as the run started
  int cpus = 0;             ///< CPUs the run needed at once: the peak of min(threads computing, usable cores)
  Time needed;              ///< CPU time its threads needed: the integral of min(threads computing, cores)
  Time got;                 ///< CPU time its threads and worker processes really got
  int machine_cpus = 0;     ///< CPUs of the machine
  int others_runnable = 0;  ///< other programs' threads ready to run as the run started
  /// CPython runs: CPU time the plan's compute() steps need at the calibrated pace, and the
  /// CPU time they took; zero when the run had none (or did not time them).
  Time planned_compute = Time::zero();
  Time compute_took = Time::zero();
  /// The same for the plan's native steps (hash_data()): the C code's own pace.
  Time planned_native = Time::zero();
  Time native_took = Time::zero();
  /// Below this share of what it needed, a run was slowed by other programs.
  static constexpr double kEnough = 0.85;
  /// A run whose compute() took more than this much longer or shorter than calibrated ran
  /// on a CPU whose speed had drifted: its times are not those of the planned work.
  static constexpr double kPaceTolerance = 0.10;
  double share() const { return needed.ns() > 0 ? static_cast<double>(got.ns()) / static_cast<double>(needed.ns()) : 1.0; }
  /// Other programs left fewer free CPUs than the run needed at once as it started.
  bool crowded() const { return checked && machine_cpus - others_runnable < cpus; }
  bool short_of_cpu() const { return checked && (share() < kEnough || crowded()); }
  /// CPU time per planned millisecond of compute(): 1.18 is 18% slower than calibrated.
  double pace() const {
    return planned_compute.ns() > 0 ? static_cast<double>(compute_took.ns()) / static_cast<double>(planned_compute.ns()) : 1.0;
  }
  bool off_pace() const { return planned_compute.ns() > 0 && (pace() > 1 + kPaceTolerance || pace() < 1 - kPaceTolerance); }
  /// Native steps that took this much more CPU than planned did other work than the plan's
  /// (a fresh buffer's pages faulted in, say): their run measured that work, not the lesson.
  static constexpr double kNativeTolerance = 0.25;
  double native_pace() const {
    return planned_native.ns() > 0 ? static_cast<double>(native_took.ns()) / static_cast<double>(planned_native.ns()) : 1.0;
  }
  bool native_over() const { return planned_native.ns() > 0 && native_pace() > 1 + kNativeTolerance; }

  /// Other programs' CPU use while the run ran: the machine's busy time between two samples
  /// of /proc/stat's aggregate "cpu" line (user, nice, system and steal, guest time once),
  /// less the run's own CPU time between them (its processes, their children, and the
  /// process that ran it). /proc/stat counts in ticks of USER_HZ (100 a second here: 10 ms
  /// per CPU), so a few ticks of difference say nothing. sampled_wall zero: not sampled (a
  /// run recorded before the sample existed), and the checks keep their older rule.
  Time sampled_wall = Time::zero();  ///< wall time between the two samples
  Time machine_busy = Time::zero();  ///< CPU time the machine's CPUs were busy between them
  Time own_cpu = Time::zero();       ///< CPU time the run itself used between them
  Time tick = Time::zero();          ///< /proc/stat's resolution: one USER_HZ tick
  int sampled_cpus = 0;              ///< CPUs /proc/stat's aggregate line adds up
  bool sampled() const { return sampled_wall > Time::zero() && sampled_cpus > 0; }
  Time others_cpu() const { return machine_busy > own_cpu ? machine_busy - own_cpu : Time::zero(); }
  /// Other programs' share of the machine while the run ran: 0.64 is 64% of all its CPUs.
  double others_share() const {
    return sampled() ? static_cast<double>(others_cpu().ns()) / (static_cast<double>(sampled_wall.ns()) * sampled_cpus) : 0.0;
  }
  /// Others' CPU beyond this share of one core's time is a real share of the machine: a
  /// shell, an editor or a desktop stay well under it, a build or a busy loop do not.
  static constexpr double kOthersOfOneCore = 0.10;
  /// ... and beyond this many ticks per CPU: each of the two samples may be off by up to a
  /// tick per CPU, so fewer cannot tell other programs from rounding.
  static constexpr int kTicksPerCpu = 3;
  /// Other programs used a real share of the machine while the run ran (false when not sampled).
  bool others_busy() const {
    if (!sampled()) return false;
    const Time others = others_cpu();
    return static_cast<double>(others.ns()) > kOthersOfOneCore * static_cast<double>(sampled_wall.ns()) &&
           others > tick * (kTicksPerCpu * sampled_cpus);
  }

  /// gilsim's own executor: the kernel's count of the time the run's threads and worker
  /// processes were ready to run but had no core (each one's run_delay, from
  /// /proc/thread-self/schedstat, added up), late wake-ups after a sleep or a GIL handoff
  /// included. waits_measured false: not measured (a run recorded before the count existed,
  /// or a kernel that keeps none), and the busy-machine check falls back on needed - got.
  bool waits_measured = false;
  Time waited_for_core = Time::zero();
  /// The part of those waits the workload makes itself: thread time its lanes computed beyond
  /// the CPUs they may use (more threads than cores, drawn running while they wait).
  Time own_waits = Time::zero();
};

struct Trace {
  std::string run_name;   ///< as in the scenario: "threads", "pool of 4"
  std::string executor;   ///< "sequential", "threads", "thread_pool", "asyncio", "process_pool"
  std::string gil_mode;   ///< "new", "old", "none"
  Origin origin = Origin::Simulated;
  std::string measured_by;  ///< measured runs: "CPython 3.11" when recorded in CPython; empty for gilsim's own executors
  /// The value in force where a --set changed what the run's name states ("2 workers" for
  /// "pool of 4"), which display_name() adds; empty when the name holds.
  std::string in_force;
  int cores = 1;
  Time switch_interval;
  Time end;               ///< when the last job finished (the makespan)
  std::vector<Process> processes;
  std::vector<Lane> lanes;
  MarkStore marks;          ///< sorted by time; 16 bytes a mark (see mark_store.hpp)
  std::vector<JobTemplate> templates;
  std::vector<Job> jobs;
  std::vector<Counter> counters;  ///< the scenario's shared counters, in declaration order
  CpuCheck cpu_check;       ///< measured runs: the CPU the run needed and got
  /// A run still being simulated: the trace so far (TraceBuilder::prefix), true up to this
  /// time, its spans still open cut here and its counters not known yet. Time::max() for a
  /// whole run.
  Time simulated_until = Time::max();

  /// Whether this is the first part of a run still being simulated (see simulated_until).
  bool partial() const { return simulated_until != Time::max(); }

  /// A trace of the same run with nothing recorded: its name, executor, GIL, origin, who
  /// measured it, cores and switch interval, the rest left empty for the caller to fill.
  Trace described_alike() const;
};

std::string_view to_string(LaneKind k);
std::string_view to_string(SpanState s);
std::string_view to_string(MarkKind k);
std::string_view to_string(Origin o);
/// How far an off-pace run's CPU was from calibrated, "18% slower", "10.3% faster": a whole
/// percent, or one decimal where the whole one would read as the tolerance itself.
std::string pace_difference(const CpuCheck& c);

/// "threads", "threads (measured)", or "threads, CPython 3.11 (measured)": how every reader
/// names a run; with in_force, "pool of 4 (2 workers)", "pool of 4 (2 workers, measured)".
std::string display_name(const Trace& trace);

/// A one-line explanation of a mark that a student can read,
/// e.g. "T2 waited 5.00 ms for the GIL and asked T1 to drop it".
std::string describe(const Trace& trace, const Mark& mark);

/// A short label for what a span is doing, e.g. "T1 running job 'crunch 2', step 1 (cpu)".
std::string describe(const Trace& trace, const Lane& lane, const Span& span);

}  // namespace gilsim::trace

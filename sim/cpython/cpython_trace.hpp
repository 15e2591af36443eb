// A CPython run recorded by cpython_recorder.py, read back and turned into a measured Trace:
// thread, task and worker lanes from the recorded steps, and each GIL lane inferred from the
// slices of pure-Python work (a thread whose slices run is the one holding the GIL).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace.hpp"

namespace gilsim::cpython {

/// A recording that cannot be read: truncated, malformed, or not about this scenario.
class CPythonTraceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Everything a recording holds; times are perf_counter_ns values (one clock for all).
struct CPythonRecording {
  /// `cpu`: the CPU time its thread spent in it, -1 when not noted (a coroutine's job, whose
  /// thread runs other tasks while it awaits, or a recording that predates the figure).
  struct Job {
    std::string key;
    std::uint32_t template_index = 0;
    std::int64_t pid = 0, tid = 0, task = 0, begin = 0, end = 0;
    std::int64_t cpu = -1;
  };
  struct Step {
    std::string key;       ///< the job's key
    std::uint32_t index = 0;
    std::string kind;      ///< cpu, native, wait, await, offload, lock (waited for a lock)
    std::int64_t pid = 0, tid = 0, task = 0, begin = 0, end = 0;
    std::int64_t due = 0;  ///< awaits: when the awaited thing was done (the task became ready)
  };
  struct Gap { std::int64_t pid = 0, tid = 0, begin = 0, end = 0; };  ///< slices apart: not running Python
  struct Task { std::int64_t id = 0, created = 0; };
  /// A lock held by a thread (task 0) or task, from its outermost acquire to its release.
  struct Hold { std::uint32_t lock = 0; std::int64_t pid = 0, tid = 0, task = 0, begin = 0, end = 0; };
  struct CounterValue { std::string name; std::int64_t value = 0; };  ///< a counter after the run
  /// A job's peer process (docs/model.md S9): its pid, and the job that asked it.
  struct Peer { std::int64_t pid = 0; std::string key; };
  /// One answer a peer computed, from its request to its reply.
  struct Answer { std::int64_t pid = 0, tid = 0, begin = 0, end = 0; };

  std::string version;             ///< "3.11.2"
  bool gil = true;                 ///< false on a free-threaded build running without its GIL
  std::int64_t slice_ns = 0;       ///< the length of one slice of compute()
  std::int64_t gap_ns = 0;         ///< a slice longer than this had a pause in it
  int cpus = 0;
  double load = 0.0;               ///< load average when the run started
  std::int64_t cpu_ns = 0;         ///< CPU time the run got, its workers included
  std::int64_t compute_planned_ns = 0;  ///< what its compute() calls were asked for (`pace` records)
  std::int64_t compute_cpu_ns = 0;      ///< the CPU time their threads spent in them
  std::int64_t native_planned_ns = 0;   ///< what its hash_data() calls were asked for (`native-pace` records)
  std::int64_t native_cpu_ns = 0;       ///< the CPU time their threads spent in them
  std::int64_t begin = 0, end = 0; ///< the run's own call
  std::int64_t main_pid = 0, main_tid = 0;
  std::vector<Job> jobs;
  std::vector<Step> steps;
  std::vector<Gap> gaps;
  std::vector<Task> tasks;
  std::vector<Hold> holds;
  std::vector<CounterValue> counters;
  std::vector<Peer> peers;
  std::vector<Answer> answers;
};

/// Reads a recording; `name` is used in errors ("trace.txt:12: ..."). Throws CPythonTraceError.
CPythonRecording parse_cpython_recording(std::string_view text, const std::string& name);

/// The measured Trace of `run`: Origin::Measured, measured_by "CPython 3.11", GIL lanes
/// named "GIL (inferred)", each job's peer a process "peer of JOB" with a lane "peer" of its
/// answers (Native, as the model and the real runs draw it). Throws CPythonTraceError when the recording does not match the
/// scenario (a job or step it does not have).
trace::Trace cpython_trace(const scenario::Scenario& scenario, const scenario::Run& run,
                           const CPythonRecording& recording);

/// How much of a measured run's jobs the recording saw: the time between each job's start and
/// end that its lane shows as a span of one of that job's steps (running, waiting for the GIL,
/// a lock, I/O), against the time between its start and end. The recorder sees compute(),
/// hash_data(), the waits and a lock's waits; it does not see other Python, such as
/// `counter += one()`. A job drawn running from its thread's CPU time alone (no step: see
/// cpython_trace) is not seen: the recorder saw that its thread ran, not what it ran.
struct JobsSeen {
  Time seen;
  Time total;
  std::size_t jobs = 0;         ///< finished jobs
  std::size_t unseen_jobs = 0;  ///< of which the recording saw nothing
  /// What the run's scenario has that the recorder does not trace, for unseen_note: its first
  /// counter's name (empty: none), and whether it has locks.
  std::string counter;
  bool locks = false;
};
JobsSeen jobs_seen(const trace::Trace& measured);

/// A measured run is scored only when its recording saw at least this share of its jobs' time.
inline constexpr double kSeenEnough = 0.5;
/// Jobs shorter than this on average are short beside the recorder's own work at each job's
/// start and end (a context, a job record, a worker's records written out).
inline constexpr Time kShortJob{1'000'000};

/// Whether a measured run is left unscored for what its recording missed: its jobs_seen when
/// the recording saw nothing of a job, or less than kSeenEnough of its jobs' time (its lanes
/// then miss work the recorder cannot show, and its time holds the recorder's own cost);
/// nullopt when it saw enough. The one rule: `gilsim run --cpython` and the viewer ask it.
std::optional<JobsSeen> too_little_seen(const trace::Trace& measured);
/// The sentence saying why such a run is not scored ("not scored: the recording saw ...").
std::string unseen_note(const JobsSeen& seen);
/// Both: the sentence when too_little_seen, nullopt when the run saw enough.
std::optional<std::string> unseen_note(const trace::Trace& measured);

/// Whether a measured CPython run's cores busy, GIL held, GIL wait and switches are figures
/// the recorder did not see, so that the tables print '-' for them: a run not scored for what
/// its recording missed (too_little_seen), or one that spent more than half of its time with
/// no job running (outside_jobs_note: a pool's pickles and pipes), its lanes showing only a
/// part of what its threads did. False for every other trace.
bool figures_not_seen(const trace::Trace& t);
/// The line under a table that printed '-' for such runs (their names, unquoted).
std::string figures_not_seen_note(const std::vector<std::string>& runs);

/// The time of a measured run when none of its jobs was running: before its first, between
/// them (no job on any lane) and after its last.
Time outside_jobs(const trace::Trace& measured);

/// A sentence saying where a measured run's time went when more than half of it passed with no
/// job running (a process pool's pickles and pipes, which the recorder does not trace); `cpu`
/// is the CPU time the run's processes got. nullopt when its jobs filled most of it.
std::optional<std::string> outside_jobs_note(const trace::Trace& measured, Time cpu);

}  // namespace gilsim::cpython

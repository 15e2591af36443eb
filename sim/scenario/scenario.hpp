// A scenario, typed and validated: the machine, the Python settings, the jobs, and the
// runs to compare. Produced by the loader (loader.hpp); read by the model and executors.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/trace/time.hpp"

namespace gilsim::scenario {

/// Limits that keep a scenario file from asking the impossible. Documented in
/// docs/scenario-format.md; the loader refuses anything beyond them.
inline constexpr int kMaxCores = 256;
inline constexpr int kMaxJobs = 100'000;         ///< jobs in one scenario, all templates together
inline constexpr int kMaxWorkers = 10'000;       ///< threads or processes in one pool
inline constexpr std::int64_t kMaxStepsPerJob = 1'000'000;  ///< after `repeat` is expanded
inline constexpr int kMaxRuns = 32;

/// Where a value came from, for error messages.
struct SourceLoc {
  std::string file;
  int line = 0;
  int column = 0;
};

enum class StepKind : std::uint8_t {
  Cpu,      ///< Python bytecode: needs a core and the process's GIL
  Native,   ///< C code that releases the GIL: needs only a core
  Io,       ///< network: a blocking system call (releases the GIL); awaited under asyncio
  Block,    ///< a blocking call made inside a coroutine: stalls the loop
  Sleep,    ///< time.sleep / asyncio.sleep
  Offload,  ///< asyncio.to_thread(work): `offload_work` runs on the default executor
  Disk,     ///< a plain file read or write: releases the GIL, but asyncio cannot await it (A5)
  Acquire,  ///< lock.acquire() on the lock `target` (threading, asyncio or multiprocessing)
  Release,  ///< lock.release() on the lock `target`
  Increment,  ///< `counter += 1` on the shared counter `target`, as LOAD, ADD, STORE
};

/// A duration drawn from the scenario's seeded generator.
/// Text forms: "100ms", "10ms..20ms" (uniform), "exp(10ms)" (exponential with that mean),
/// "normal(10ms, 2ms)" (normal, clamped at zero).
struct Duration {
  enum class Kind : std::uint8_t { Fixed, Uniform, Exponential, Normal };
  Kind kind = Kind::Fixed;
  Time a;  ///< fixed value, lower bound, mean
  Time b;  ///< upper bound (uniform), standard deviation (normal)

  static Duration fixed(Time t) { return Duration{Kind::Fixed, t, t}; }
  bool is_fixed() const { return kind == Kind::Fixed; }
  Time mean() const;
};

struct Step {
  StepKind kind = StepKind::Cpu;
  Duration duration;  ///< Increment: the Python work of the call on the right-hand side
  StepKind offload_work = StepKind::Cpu;  ///< for Offload: what the executor thread does
  std::uint32_t target = 0;  ///< Acquire, Release: index in Scenario::locks; Increment: in counters
  bool has_call = false;     ///< Increment: `counter += f()`, the call a check point (docs/model.md U1)
  Time answer{};  ///< Io: CPU time the peer process spends answering (docs/model.md S9); zero: no peer
};

/// A lock the jobs share: `threading.Lock` (or `RLock`) in threads, `asyncio.Lock` in
/// coroutines, `multiprocessing.Lock` across worker processes.
struct LockSpec {
  std::string name;
  bool reentrant = false;  ///< an RLock: its holder may acquire it again
  SourceLoc where;
};

/// A shared integer the jobs add to (a global; a multiprocessing.Value across processes).
struct CounterSpec {
  std::string name;
  std::int64_t initial = 0;
  SourceLoc where;
};

struct JobTemplate {
  std::string name;                 ///< "download"; jobs are named "download 1".."download N"
  int count = 1;
  std::vector<Step> steps;          ///< `repeat` blocks already expanded
  std::int64_t arg_bytes = 100;     ///< pickled size of the arguments (process pools)
  std::int64_t result_bytes = 100;  ///< pickled size of the result (process pools)
  SourceLoc where;
  std::vector<int> cpus{};          ///< os.sched_setaffinity: its thread runs only on these (S9); empty: any
  std::vector<int> peer_cpus{};     ///< the CPUs of the peer process its `answer` steps talk to (S9)
};

enum class GilMode : std::uint8_t { New, Old, None };
/// Processes: one multiprocessing.Process per job, started then joined. ProcessPoolExecutor:
/// concurrent.futures.ProcessPoolExecutor.map (docs/model.md P9).
enum class Executor : std::uint8_t { Sequential, Threads, ThreadPool, Asyncio, ProcessPool, Processes, ProcessPoolExecutor };
enum class StartMethod : std::uint8_t { Fork, Spawn, Forkserver };
/// How a process_pool run hands its jobs to the Pool.
enum class PoolMethod : std::uint8_t { Map, Imap, ImapUnordered, ApplyAsync };

/// The relative speeds of a machine's first cores (S7), held inline so that the settings
/// stay trivially copyable (a worker process is sent them as bytes, sim/real/pool_protocol.hpp).
class CoreSpeeds {
 public:
  static constexpr std::size_t kMax = 64;  ///< speeds a machine may list
  static constexpr double kSlowest = 0.01, kFastest = 100.0;  ///< the range a speed may take

  CoreSpeeds() = default;
  CoreSpeeds(std::initializer_list<double> speeds) : CoreSpeeds(std::vector<double>(speeds)) {}
  CoreSpeeds(const std::vector<double>& speeds) {  // NOLINT: a list of speeds is one
    for (const double v : speeds) push_back(v);
  }

  /// Appends a speed; past kMax speeds, the rest are ignored (the reader refuses them).
  void push_back(double speed) {
    if (count_ < kMax) values_[count_++] = speed;
  }
  std::size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  double of(int core) const {
    return core >= 0 && static_cast<std::size_t>(core) < count_ ? values_[static_cast<std::size_t>(core)] : 1.0;
  }
  std::vector<double> to_vector() const { return {values_.begin(), values_.begin() + static_cast<long>(count_)}; }

 private:
  std::array<double, kMax> values_{};
  std::size_t count_ = 0;
};

/// How threads are placed on the cores' run queues (docs/model.md S1).
enum class Placement : std::uint8_t {
  Shared,  ///< one FIFO shared by every core
  PerCpu,  ///< a run queue per core, Linux's placement and load balancing (S1a-S1d)
};

struct Machine {
  int cores = 4;
  Time quantum = Time{3'000'000};         ///< OS time slice (docs/model.md S2)
  Time context_switch = Time{3'000};      ///< cost of a context switch (S5, EST)
  /// Relative speed of core 0, 1, ... (S7): a core of speed s does d of work in d / s.
  /// Cores past the list's end, and every core when it is empty, run at 1.0.
  CoreSpeeds core_speeds;
  Placement placement = Placement::PerCpu;  ///< S1: per-CPU run queues as Linux, or one shared queue

  double speed_of(int core) const { return core_speeds.of(core); }
};

struct PythonVersion {
  int major = 3;
  int minor = 12;
  bool free_threaded = false;  ///< a "t" build such as 3.13t
  auto operator<=>(const PythonVersion&) const = default;
};

/// CPython's default sys.getswitchinterval() (G2); the one place the 5 ms is written.
inline constexpr Time kDefaultSwitchInterval = Time{5'000'000};

struct Python {
  PythonVersion version;
  GilMode gil = GilMode::New;                 ///< default follows the version
  Time switch_interval = kDefaultSwitchInterval;  ///< sys.setswitchinterval (G2), new GIL
  int check_interval = 100;                   ///< sys.setcheckinterval ticks (O1), old GIL; see effective_check_period
  double free_threading_overhead = 0.08;      ///< CPU cost multiplier - 1 without a GIL (F2)
};

/// Costs no source pins down exactly (EST in docs/model.md): parameters with defaults.
struct Costs {
  Time timer_slack = Time{50'000};            ///< a timed wait ends this late (G2a; Linux's default slack)
  Time timer_wake_min = Time{9'000};          ///< G2a: a timed wait's own wake-up on a core idle up to the window
  Time timer_wake_window = Time{390'000};
  Time timer_wake_per_doubling = Time{5'300};  ///< G2a: past the window, this much more per doubling of the idle
  Time wake_poll_window = Time{390'000};      ///< a core idle no longer than this still polls (G8)
  Time wake_poll_min = Time{3'000};           ///< G8: a polling core's wake-up, drawn uniform in [min, max]
  Time wake_poll_max = Time{9'000};
  Time wake_per_doubling = Time{5'300};       ///< G8: a halted core's wake-up grows this much per doubling
  Time gil_mutex_take = Time{100};            ///< G8b: take_gil holds the GIL's mutex this long when it takes the GIL (EST)
  Time gil_mutex_signal = Time{10'000};       ///< G8b: drop_gil holds it this long when its signal wakes a waiter
  // G8d: drop_gil's signal of a GIL waiter whose CPU, another than the dropper's, has halted
  // within the polling window: the signal's cost to the dropper and the waiter's wake-up, by
  // how long that CPU has halted (three bands), each drawn about its band's median as far as
  // its 10th percentile on either side (fidelity/short_halt_quiet.jsonl). cross_wake_short 0: off.
  Time cross_halt_short = Time{28'000};       ///< G8d: a halt shorter than this is in the short band
  Time cross_halt_long = Time{113'000};       ///< G8d: a halt this long or longer is in the long band
  Time cross_wake_short = Time{25'600};       ///< G8d: the waiter's wake-up after a short halt, median
  Time cross_wake_short_p10 = Time{18'900};   ///< G8d: and its 10th percentile
  Time cross_wake_mid = Time{54'900};
  Time cross_wake_mid_p10 = Time{19'700};
  Time cross_wake_long = Time{60'500};
  Time cross_wake_long_p10 = Time{52'000};
  Time cross_signal_short = Time{23'500};     ///< G8d: the signal's cost to its sender after a short halt, median
  Time cross_signal_short_p10 = Time{16'300};
  Time cross_signal_mid = Time{33'100};
  Time cross_signal_mid_p10 = Time{17'300};
  Time cross_signal_long = Time{36'100};
  Time cross_signal_long_p10 = Time{23'300};
  double cross_spread = 1.0;                  ///< G8d: 1 draws the measured spread, 0 gives the medians
  Time handoff_refill = Time{30'000};         ///< S6: Python woken from a halted core refills its caches
  Time check_period = Time{5'000};            ///< old GIL: time to run 100 ticks (the default check_interval)
  double old_gil_handoff_probability = 0.05;  ///< old GIL: a signalled waiter wins the race (O3)
  Time old_gil_release_cost = Time{4'000};    ///< old GIL, several cores: each release wakes a waiter that races
  Time old_gil_release_cost_one_core = Time{2'500};  ///< old GIL, one core: the woken waiter cannot run yet
  Time thread_start = Time{15'000};           ///< T1, T1a: measured (fidelity/thread_start_parts.jsonl)
  Time thread_bootstrap = Time{13'000};       ///< T1a: a new thread's bootstrap, before start() returns; 0: no wait
  Time fork_start = Time{1'230'000};           ///< P4, P4d: Process.start() in the parent, per process (fork)
  Time fork_call = Time{510'000};              ///< P4, P4d: of a start, os.fork() itself; then the child starts
  Time fork_child_start = Time{1'320'000};     ///< P4, P4d: a forked child readying itself, on its own core
  Time fork_first_extra = Time{320'000};       ///< P4d: more for a program's first fork start, in the parent
  Time fork_first_call_extra = Time{290'000};  ///< P4d: of it, more in that first os.fork()
  Time fork_first_child_extra = Time{150'000};  ///< P4d: more for that first child readying itself
  Time spawn_call = Time{310'000};            ///< P4: Process.start() in the parent with spawn
  Time spawn_exec = Time{150'000};            ///< P4: of spawn_start, the child's part until exec frees the parent
  Time spawn_start = Time{55'400'000};        ///< P4: a spawned child's fresh interpreter, on its own core
  Time tracker_start = Time{28'800'000};      ///< P4: the resource tracker's fresh interpreter, on its own core
  Time forkserver_start = Time{5'000'000};    ///< P4, per child after the server's spawn
  Time forkserver_request = Time{100'000};    ///< P4, EST: the parent's request to the server, per child
  Time pool_setup = Time{1'910'000};          ///< P4, P4b: Pool()'s pipes, locks and handler threads, after the forks
  Time pool_wakeup = Time{15'000};            ///< P6: one loop of Pool's worker handler: waitpid each worker, poll
  Time pool_first_loop = Time{400'000};       ///< P4b: more for the worker handler's first loop, its code cold
  Time pool_map_call = Time{60'000};          ///< P4b: the main thread's map()/imap() call, before the task handler has it
  Time process_exit = Time{500'000};          ///< P8: a process ending, on its own core, before join() returns
  Time ipc_message = Time{14'000};            ///< P7, per message: CPU, half on each side
  Time ipc_syscall = Time{1'000};             ///< P7: of each side's half, the pipe's system calls, without the GIL
  Time ipc_first_syscall = Time{65'000};      ///< P7: more for a process's first job message each way, its pipe call
  Time ipc_first_pickle = Time{45'000};       ///< P7: more for a process's first job message each way, its pickling
  double ipc_bandwidth = 1e9;                 ///< P7, bytes per second
  /// P7c: bytes per second through a pipe, in the reader's read without the GIL; 0: not
  /// charged. Not a scenario key: scenario::fit_to_machine sets it from a measurement.
  double ipc_pipe_bandwidth = 0.0;
  std::int64_t ipc_task_bytes = 87;           ///< P7b: a Pool chunk's task (mapstar) besides its jobs' arg_bytes
  std::int64_t ipc_result_bytes = 29;         ///< P7b: a Pool chunk's result (a list) besides its jobs' result_bytes
  std::int64_t ipc_apply_task_bytes = 48;     ///< P7b: a Pool task of one call (apply_async, imap chunksize 1)
  std::int64_t ipc_apply_result_bytes = 26;   ///< P7b: its result, not in a list, besides the job's result_bytes
  std::int64_t ipc_executor_call_bytes = 205;   ///< P7b: a ProcessPoolExecutor _CallItem besides its jobs' arguments
  std::int64_t ipc_executor_result_bytes = 119; ///< P7b: a ProcessPoolExecutor _ResultItem besides its jobs' results
  std::int64_t pipe_capacity = 65'536;        ///< P7b: bytes a pipe holds unread before a writer waits
  Time loop_callback = Time{20'000};          ///< asyncio: cost of one _run_once callback
  Time lock_wake_latency = Time{0};           ///< L3: a woken lock waiter's extra latency, beyond the kernel's wake-up (G8)
  Time lock_woken_try = Time{100};            ///< L3, EST: the woken waiter back from its wait and its try, on a core
  Time lock_release_wake = Time{11'000};      ///< L8: release() waking a sleeping waiter, in the releaser, the GIL held
  Time increment = Time{40};                  ///< one loop iteration of `counter += 1` (U1)
  Time lock_with = Time{100};                 ///< `with lock:` around a thread's block: its bytecode and calls (L7)
  Time thread_start_tail = Time{1'600};       ///< T1a: the starter's CPU after the new thread exists, until it waits
};

struct Run {
  std::string name;
  Executor executor = Executor::Sequential;
  std::optional<int> workers;               ///< pools; default follows CPython (T2, P2)
  std::optional<StartMethod> start_method;  ///< process_pool; default follows the version (P3)
  std::optional<int> chunksize;             ///< process_pool; default is Pool.map's formula (P5)
  PoolMethod method = PoolMethod::Map;      ///< process_pool: map, imap, imap_unordered or apply_async
  std::optional<GilMode> gil;               ///< overrides python.gil for this run
  std::optional<Time> switch_interval;      ///< overrides python.switch_interval for this run
  std::optional<int> cores;                 ///< overrides machine.cores for this run
  bool featured = false;                    ///< the run the lesson is about: the viewer opens it first
  SourceLoc where;
};

struct Scenario {
  std::string title;
  std::string note;            ///< the teaching note: what to ask, what to notice
  std::uint64_t seed = 1;
  Machine machine;
  Python python;
  Costs costs;
  std::vector<LockSpec> locks;
  std::vector<CounterSpec> counters;
  std::vector<JobTemplate> jobs;
  std::vector<Run> runs;
  std::string source;          ///< file name, or "<default>" for the built-in scenario

  int total_jobs() const;
};

// Values a run actually uses, after the scenario's defaults and CPython's rules.
int effective_cores(const Scenario& s, const Run& r);
GilMode effective_gil(const Scenario& s, const Run& r);
Time effective_switch_interval(const Scenario& s, const Run& r);
/// thread_pool: min(32, cores + 4) from 3.8 (cores * 5 before); process_pool: cores.
int effective_workers(const Scenario& s, const Run& r);
StartMethod effective_start_method(const Scenario& s, const Run& r);
/// Old GIL: Python work between two release-and-reacquire, costs.check_period (the time of
/// 100 ticks, CPython's default) scaled by python.check_interval (O1).
Time effective_check_period(const Scenario& s);
/// Pool.map's chunksize: divmod(n, workers * 4), rounded up; 0 when n == 0 (P5).
int pool_map_chunksize(int jobs, int workers);
int effective_chunksize(const Scenario& s, const Run& r);

std::string_view to_string(StepKind k);
std::string_view to_string(GilMode m);
std::string_view to_string(Executor e);
std::string_view to_string(StartMethod m);
std::string_view to_string(PoolMethod m);
std::string to_string(const Duration& d);    ///< round-trips through the loader's syntax
std::string to_string(const PythonVersion& v);
/// "cpu 100ms", "offload cpu 50ms", "acquire balance", "counter += 1".
std::string step_label(const Scenario& scenario, const Step& s);

}  // namespace gilsim::scenario

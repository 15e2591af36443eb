// Executors map a scenario's jobs onto simulated threads and processes, the way CPython's
// sequential code, threading, concurrent.futures, asyncio and multiprocessing do.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/model/workload.hpp"

namespace gilsim::model {

/// What every executor needs while the engine runs; it outlives the run.
struct RunContext {
  const scenario::Scenario& scenario;
  const scenario::Run& run;
  const scenario::EffectiveSettings& settings;
  Engine& engine;
  const scenario::JobPlan& jobs;
  int jobs_left = 0;
  SharedState& shared;  ///< the locks and counters the jobs share
  /// Per thread, whether it has sent (kSent) or received (kReceived) a job message: the
  /// first costs more (P7). Each side of a pool's pipes is one thread of its process.
  /// Flags by thread id, not a set, as every message of a pool asks.
  static constexpr std::uint8_t kSent = 1;
  static constexpr std::uint8_t kReceived = 2;
  std::vector<std::uint8_t> warm_pipes = {};
};

/// A thread (or a child process's main thread) that takes its GIL, runs `job`, tells
/// `main` when it was the last job left, and exits.
Program job_thread(RunContext& ctx, ThreadId self, ThreadId main, const PlannedJob& job, ThreadId peer = trace::kNone);

/// A new thread's `_bootstrap_inner` up to `_started.set()` (T1a), run by the new thread
/// once it has the GIL: tells `starter` that its start() may return.
Program bootstrap(RunContext& ctx, ThreadId self, ThreadId starter);

/// A new thread's first moments (T1a): made runnable by clone(), it runs after G8's wake-up
/// on the core Linux gives it, takes the GIL and runs its bootstrap, which lets `starter`'s
/// start() return. A zero `thread_bootstrap` turns the rule off: it takes the GIL at once.
Program begin_thread(RunContext& ctx, ThreadId self, ThreadId starter);

/// The end of threading.Thread.start() in `starter` (T1a): wait without the GIL for the new
/// thread's bootstrap, run after G8's wake-up once notified, then take the GIL back.
Program wait_until_started(RunContext& ctx, ThreadId starter);

void start_sequential(RunContext& ctx);
void start_threads(RunContext& ctx);
void start_thread_pool(RunContext& ctx);
void start_asyncio(RunContext& ctx);
void start_process_pool(RunContext& ctx);
void start_processes(RunContext& ctx);
void start_process_pool_executor(RunContext& ctx);

}  // namespace gilsim::model

// execute(): plans the jobs, runs the executor on a thread of its own while the calling
// thread watches the clock, the cancel flag and the progress, then merges the records and
// notes whether the run got the CPU it needed (cpu_check.hpp).
#include "sim/real/execute.hpp"

#include <condition_variable>
#include <csignal>
#include <exception>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <pthread.h>

#include "sim/real/busy_loop.hpp"
#include "sim/real/cpu_check.hpp"
#include "sim/real/executors.hpp"
#include "sim/real/machine_load.hpp"
#include "sim/real/real_shared.hpp"
#include "sim/real/run_record.hpp"
#include "sim/real/trace_merge.hpp"

namespace gilsim::real {

using scenario::Executor;

namespace {

RunSettings make_settings(const scenario::Scenario& s, const scenario::Run& run) {
  RunSettings settings;
  static_cast<scenario::EffectiveSettings&>(settings) = scenario::effective_settings(s, run);
  settings.cores = scenario::fit_cores(settings.cores, available_cpus());
  settings.iterations_per_ns = calibrate_iterations_per_ns();
  return settings;
}

ExecutorOutput run_executor(RunInputs& in) {
  switch (in.run.executor) {
    case Executor::Sequential: return run_sequential(in);
    case Executor::Threads: return run_threads(in);
    case Executor::ThreadPool: return run_thread_pool(in);
    case Executor::Asyncio: return run_asyncio(in);
    case Executor::ProcessPool: return run_process_pool(in);
    case Executor::Processes: return run_processes(in);
    case Executor::ProcessPoolExecutor: return run_process_pool_executor(in);
  }
  throw RealRunError(RealRunError::Reason::NotRunnable, "unknown executor");
}

/// Blocks SIGPIPE (a dead worker's pipe gives EPIPE instead) and SIGINT (the handler runs on
/// the calling thread) for the runner and every thread it starts.
void block_signals_here() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

}  // namespace

trace::Trace execute(const scenario::Scenario& s, const scenario::Run& run, const ExecuteOptions& options) {
  using Reason = RealRunError::Reason;
  if (auto why = why_not_runnable(s, run)) throw RealRunError(Reason::NotRunnable, *why);

  const RunSettings settings = make_settings(s, run);
  const scenario::JobPlan jobs = scenario::plan_jobs(s);
  trace::TraceBuilder builder(run.name, std::string(scenario::to_string(run.executor)),
                              std::string(scenario::to_string(settings.gil)), trace::Origin::Measured,
                              settings.cores, settings.switch_interval);
  scenario::register_jobs(s, jobs, builder);

  // The records' memory, faulted in before the clock starts: two records per planned step,
  // a first block per thread, and room to gather them; otherwise a run of tiny steps pays
  // for its page faults, with its clock running or with the CPU time it is said to get.
  std::size_t steps = 0;
  for (const scenario::PlannedJob& job : jobs) steps += job.steps.size();
  warm_record_blocks(jobs.size() + 4, 2 * steps / Recorder::kBigBlock + 1, 2 * steps + 1024);
  const CpuSnapshot cpu_before = take_cpu_snapshot_before_run();
  const MachineSample machine_before = take_machine_sample();  // what other programs use meanwhile
  const auto started = RunContext::Clock::now();
  RunContext ctx(settings, started);
  std::optional<RealShared> shared;
  if (!s.locks.empty() || !s.counters.empty()) {
    shared.emplace(s, ctx);
    ctx.set_shared(&*shared);
  }
  RunInputs inputs{s, run, ctx, jobs, builder};

  std::mutex mutex;
  std::condition_variable finished_cv;
  bool finished = false;
  ExecutorOutput output;
  std::exception_ptr error;
  std::thread runner([&] {
    block_signals_here();
    try {
      output = run_executor(inputs);
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard lock(mutex);
    finished = true;
    finished_cv.notify_all();
  });

  const int total = static_cast<int>(jobs.size());
  const auto deadline = started + std::chrono::nanoseconds(options.timeout.ns());
  auto next_progress = started;
  std::optional<Reason> stopped;
  {
    std::unique_lock lock(mutex);
    while (!finished) {
      finished_cv.wait_for(lock, std::chrono::milliseconds(10));
      if (finished) break;
      const auto now = RunContext::Clock::now();
      if (!stopped && options.cancel && options.cancel->load()) stopped = Reason::Cancelled;
      if (!stopped && now >= deadline) stopped = Reason::TimedOut;
      if (stopped && !ctx.aborted()) {
        lock.unlock();
        ctx.request_abort();
        lock.lock();
      }
      if (options.progress && now >= next_progress && !stopped) {
        next_progress = now + std::chrono::milliseconds(100);
        lock.unlock();
        options.progress(ctx.jobs_done().load(), total);
        lock.lock();
      }
    }
  }
  runner.join();
  if (!stopped && !error) widen_to_least_window(machine_before);  // a short run's: long enough for /proc/stat's ticks
  const CpuSnapshot cpu_after = take_cpu_snapshot();
  const MachineSample machine_after = take_machine_sample();

  if (stopped == Reason::Cancelled) {
    throw RealRunError(*stopped, fmt::format("the real run '{}' was interrupted after {}; every thread and "
                                             "worker process it started has been stopped",
                                             run.name, ctx.now()));
  }
  if (stopped == Reason::TimedOut) {
    throw RealRunError(*stopped, fmt::format("the real run '{}' did not finish within {}; every thread and "
                                             "worker process it started has been stopped",
                                             run.name, options.timeout));
  }
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const RealRunError&) {
      throw;
    } catch (const RunAborted&) {
      throw RealRunError(Reason::SystemError, fmt::format("the real run '{}' was aborted", run.name));
    } catch (const std::exception& e) {
      throw RealRunError(Reason::SystemError, fmt::format("the real run '{}' failed: {}", run.name, e.what()));
    }
  }
  if (options.progress) options.progress(ctx.jobs_done().load(), total);
  // A deadlock stopped the run where its cycle was found (L6).
  const Time end = shared && shared->deadlock_at() ? max(output.end, *shared->deadlock_at()) : output.end;
  trace::Trace measured = merge_records(builder, std::move(output.records), end);
  if (shared) measured.counters = shared->counters();
  check_cpu(measured, cpu_before, cpu_after, available_cpus(), output.pins);
  note_machine_use(measured.cpu_check, machine_before, machine_after);
  if (const std::optional<Time> waited = ctx.waits_for_core()) {
    measured.cpu_check.waits_measured = true;
    measured.cpu_check.waited_for_core = *waited;
  }
  return measured;
}

}  // namespace gilsim::real

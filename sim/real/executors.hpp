// The real executors behind execute(): each lays out its lanes, runs the jobs on real
// threads or processes, and hands back every thread's records. Internal to sim/real.
#pragma once

#include <vector>

#include "sim/scenario/job_plan.hpp"
#include "sim/real/cpu_check.hpp"
#include "sim/real/run_context.hpp"
#include "sim/real/run_record.hpp"
#include "sim/trace/trace_builder.hpp"

namespace gilsim::real {

struct RunInputs {
  const scenario::Scenario& scenario;
  const scenario::Run& run;
  RunContext& ctx;
  const std::vector<scenario::PlannedJob>& jobs;
  trace::TraceBuilder& builder;  ///< for lanes only, before any thread starts
};

struct ExecutorOutput {
  std::vector<Record> records;  ///< every thread's and process's, in any order
  Time end;                     ///< when the run's result was complete (the makespan)
  LanePins pins;                ///< the lanes pinned to CPUs (S9), for the CPU check
};

/// Every executor returns only once all threads it started have ended and all processes
/// it started are reaped, also when it throws (RunAborted, RealRunError, system errors).
ExecutorOutput run_sequential(RunInputs& in);
ExecutorOutput run_threads(RunInputs& in);
ExecutorOutput run_thread_pool(RunInputs& in);
ExecutorOutput run_asyncio(RunInputs& in);
ExecutorOutput run_process_pool(RunInputs& in);
ExecutorOutput run_processes(RunInputs& in);            ///< one multiprocessing.Process per job
ExecutorOutput run_process_pool_executor(RunInputs& in);  ///< concurrent.futures.ProcessPoolExecutor

/// Adds the main process (with a GIL lane unless the run has none).
trace::ProcessId add_main_process(RunInputs& in);

/// Appends `from` to `to` and empties `from`.
void append_records(std::vector<Record>& to, std::vector<Record>& from);

}  // namespace gilsim::real

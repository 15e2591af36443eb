// Running a sweep's tasks in forked worker processes, started once, handed batches of tasks
// as they finish; the result does not depend on how many workers ran it.
#pragma once

#include "sim/sweep/sweep_results.hpp"

namespace gilsim::sweep {

/// Runs the sweep in `workers` forked processes (1 or fewer tasks than workers: fewer).
/// Call it from a process without other threads. Whatever happens (`cancel` becoming true,
/// a task's error, a worker dying), every worker is killed if alive and reaped before it
/// returns or throws: SweepCancelled, scenario::ScenarioError (a point's values that do not
/// go together), or std::runtime_error (a worker died).
SweepResult run_sweep_in_processes(const SweepPlan& plan, int workers, const std::atomic<bool>* cancel = nullptr,
                                   const SweepProgress& progress = {});

}  // namespace gilsim::sweep

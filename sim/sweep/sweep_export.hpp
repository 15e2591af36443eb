// A sweep's figures as CSV or JSON: one row per run x grid point x seed.
#pragma once

#include <ostream>

#include "sim/sweep/sweep_results.hpp"

namespace gilsim::sweep {

/// Header: point, one column per varied key, seed, run, makespan_ns, speedup, cores_busy,
/// gil_held (the busiest GIL's share of the run, trace::Metrics::gil_held; empty without a
/// GIL), gil_lanes (how many GILs: one per process that has one), gil_wait_ns, switches,
/// jobs_done, outcome (outcome_word: "finished", "deadlock", "unfinished"). A run that did
/// not finish has empty makespan_ns and speedup cells (null in JSON).
void write_sweep_csv(std::ostream& out, const SweepPlan& plan, const SweepResult& result);

/// {"scenario", "title", "axes": [{"keys", "values"}], "seeds", "runs", "rows": [...]},
/// rows with the CSV's fields (varied keys under "values").
void write_sweep_json(std::ostream& out, const SweepPlan& plan, const SweepResult& result);

}  // namespace gilsim::sweep

// Doing a job's steps for real on the calling thread: cpu as a busy loop with GIL check
// points, native without the GIL, io and sleep as real blocking calls around a GIL drop.
#pragma once

#include "sim/scenario/job_plan.hpp"
#include "sim/real/real_gil.hpp"

namespace gilsim::real {

/// `work` of Python bytecode: a busy loop that stops at a check point every microsecond or so,
/// where it answers drop requests (new GIL) or releases and re-takes (old GIL, each check
/// period). The caller holds the GIL through `seat`.
void run_python_work(RunContext& ctx, GilSeat& seat, Time work, std::uint32_t job, std::uint16_t step);

/// `work` of C code without the GIL: the same busy loop, checking only for an abort.
void run_native_work(RunContext& ctx, Time work);

/// One step that is not a coroutine's: the thread holds the GIL before and after.
/// Offload outside asyncio runs its work inline, as a plain call would.
void run_step(RunContext& ctx, GilSeat& seat, const scenario::PlannedJob& job, std::uint16_t step_index,
              const scenario::PlannedStep& step);

/// A whole job on the calling thread, which holds the GIL before and after (JobStart and
/// JobEnd marks included); counts it in ctx.jobs_done().
void run_job(RunContext& ctx, GilSeat& seat, const scenario::PlannedJob& job);

}  // namespace gilsim::real

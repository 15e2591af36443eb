// Steps of a job, done for real.
#include "sim/real/job_runner.hpp"

#include <algorithm>

#include "sim/real/busy_loop.hpp"
#include "sim/real/peer_process.hpp"
#include "sim/real/real_shared.hpp"

namespace gilsim::real {

using scenario::StepKind;
using trace::SpanState;

namespace {
constexpr Time kCheckEvery{1'000};  ///< work between two check points

}  // namespace

void run_python_work(RunContext& ctx, GilSeat& seat, Time work, std::uint32_t job, std::uint16_t step) {
  const RunSettings& s = ctx.settings();
  const Time cost = scenario::python_cost(s, work);
  const std::uint64_t total = iterations_for(cost, s.iterations_per_ns);
  if (cost <= kCheckEvery) {  // a tiny step (a with statement): no check point inside, nothing more to work out
    spin(total);
    ctx.throw_if_aborted();
    return;
  }
  const std::uint64_t chunk = iterations_for(kCheckEvery, s.iterations_per_ns);
  const std::uint64_t period = iterations_for(s.costs.check_period, s.iterations_per_ns);
  RealGil* gil = seat.gil();
  const bool old_gil = gil && gil->mode() == scenario::GilMode::Old;
  std::uint64_t done = 0;
  std::uint64_t since_release = 0;
  while (done < total) {
    const std::uint64_t n = std::min(chunk, total - done);
    spin(n);
    done += n;
    ctx.throw_if_aborted();
    if (!gil || done >= total) continue;
    if (old_gil) {
      since_release += n;
      if (since_release >= period) {
        since_release = 0;
        seat.yield_at_check_point(job, step);
      }
    } else if (gil->drop_requested()) {
      seat.yield_at_check_point(job, step);
    }
  }
}

void run_native_work(RunContext& ctx, Time work) {
  const RunSettings& s = ctx.settings();
  const std::uint64_t total = iterations_for(work, s.iterations_per_ns);
  const std::uint64_t chunk = iterations_for(Time{50'000}, s.iterations_per_ns);
  for (std::uint64_t done = 0; done < total;) {
    const std::uint64_t n = std::min(chunk, total - done);
    spin(n);
    done += n;
    ctx.throw_if_aborted();
  }
}

void run_step(RunContext& ctx, GilSeat& seat, const scenario::PlannedJob& job, std::uint16_t step_index,
              const scenario::PlannedStep& step) {
  const std::uint32_t j = job.index;
  const std::uint16_t next =
      static_cast<std::size_t>(step_index) + 1 < job.steps.size() ? step_index + 1 : step_index;
  switch (step.kind) {
    case StepKind::Cpu:
      seat.recorder().state(ctx.now(), seat.lane(), SpanState::Running, j, step_index);
      run_python_work(ctx, seat, step.duration, j, step_index);
      return;
    case StepKind::Native:
      seat.drop(DropReason::Blocking, SpanState::Native, j, step_index);
      run_native_work(ctx, step.duration);
      seat.take(SpanState::Running, j, next);
      return;
    case StepKind::Io:
      if (step.answer > Time::zero() && ctx.peers() != nullptr) {
        // S9: a request to the job's peer process, whose reply needs its CPU time first.
        seat.drop(DropReason::Blocking, SpanState::BlockedIo, j, step_index);
        ctx.peers()->ask(job, step.answer, step.duration);
        seat.take(SpanState::Running, j, next);
        return;
      }
      [[fallthrough]];
    case StepKind::Disk:
    case StepKind::Block:
      seat.drop(DropReason::Blocking, SpanState::BlockedIo, j, step_index);
      ctx.block_for(step.duration);
      seat.take(SpanState::Running, j, next);
      return;
    case StepKind::Sleep:
      seat.drop(DropReason::Blocking, SpanState::Sleeping, j, step_index);
      ctx.block_for(step.duration);
      seat.take(SpanState::Running, j, next);
      return;
    case StepKind::Acquire:
      ctx.shared()->acquire(seat, step.target, j, step_index);
      return;
    case StepKind::Release:
      ctx.shared()->release(seat, step.target);
      return;
    case StepKind::Increment:
      ctx.shared()->increment(seat, step, j, step_index);
      return;
    case StepKind::Offload: {
      scenario::PlannedStep inline_work = step;
      inline_work.kind = step.offload_work == StepKind::Offload ? StepKind::Cpu : step.offload_work;
      run_step(ctx, seat, job, step_index, inline_work);
      return;
    }
  }
}

void run_job(RunContext& ctx, GilSeat& seat, const scenario::PlannedJob& job) {
  Recorder& rec = seat.recorder();
  rec.job_start(ctx.now(), seat.lane(), job.index);
  rec.state(ctx.now(), seat.lane(), SpanState::Running, job.index, job.steps.empty() ? trace::kNoStep : 0);
  for (std::size_t i = 0; i < job.steps.size(); ++i) {
    run_step(ctx, seat, job, static_cast<std::uint16_t>(i), job.steps[i]);
  }
  rec.job_end(ctx.now(), seat.lane(), job.index);
  ctx.jobs_done().fetch_add(1, std::memory_order_relaxed);
}

}  // namespace gilsim::real

// Running a job's steps on a thread (docs/model.md G7: blocking
// calls and C code drop the GIL; returning to Python takes it back).
#include "sim/model/workload.hpp"

namespace gilsim::model {

using scenario::StepKind;

Program run_job(Engine& e, ThreadId t, const PlannedJob& job, const scenario::EffectiveSettings& settings,
                SharedState& shared, ThreadId peer) {
  e.trace().job_started(job.index, e.lane(t), e.now());
  const std::uint32_t id = job.index;
  // The steps run in this one coroutine (a frame per step would be made and freed for
  // each of a lesson's thousands of tiny steps); only a lock's wait and a run of counter
  // increments have their own.
  for (std::size_t i = 0; i < job.steps.size(); ++i) {
    const auto index = i < trace::kNoStep ? static_cast<std::uint16_t>(i) : trace::kNoStep;
    const scenario::PlannedStep& step = job.steps[i];
    const StepKind kind = step.kind == StepKind::Offload ? step.offload_work : step.kind;
    const Time d = step.duration;
    switch (kind) {
      case StepKind::Cpu:
        co_await e.compute(t, scenario::python_cost(settings, d), Work::python(id, index));
        break;
      case StepKind::Native:
        co_await e.release_gil(t);
        co_await e.compute(t, d, Work::native(id, index));
        co_await e.acquire_gil(t);
        break;
      case StepKind::Io:
      case StepKind::Disk:
      case StepKind::Block:
        co_await e.release_gil(t);
        if (step.answer > Time::zero() && peer != trace::kNone) {
          // S9: the request wakes the peer, whose reply needs its CPU time first.
          e.notify(peer);
          co_await e.wait_for_notify(t, SpanState::BlockedIo, Time::max(), id);
        }
        co_await e.wait(t, d, SpanState::BlockedIo, id, index);
        co_await e.acquire_gil(t);
        break;
      case StepKind::Sleep:
        co_await e.release_gil(t);
        co_await e.wait(t, d, SpanState::Sleeping, id, index);
        co_await e.acquire_gil(t);
        break;
      case StepKind::Acquire:
        if (const std::size_t next = shared.steps_at_once(t, job, i, settings); next > i) {
          i = next - 1;  // U4: `with lock: counter += f()` with nothing in between
          break;
        }
        co_await shared.with_statement(t, id, index);
        if (!shared.try_acquire(t, step.target)) co_await shared.wait_to_acquire(t, step.target, id, index);
        break;
      case StepKind::Release:
        shared.release(e.lane(t), step.target);
        break;
      case StepKind::Increment: {
        // The run of increments from here, in one frame, its end found as it runs (lesson
        // 15's 20,000 in a row were looked over first, each time). Those that run at once
        // (U4) need no frame; the rest go the long way.
        const std::size_t steps = job.steps.size();
        std::size_t next = shared.increments_at_once(t, job, i, steps, settings);
        if (next < steps && job.steps[next].kind == StepKind::Increment) {
          co_await shared.increment(t, job, next, steps - next, settings, trace::kNone, &next);
        }
        i = next - 1;
        break;
      }
      case StepKind::Offload:
        break;  // never: outside asyncio the offloaded work runs inline, as its own kind
    }
  }
  e.trace().job_finished(job.index, e.now());
}

}  // namespace gilsim::model

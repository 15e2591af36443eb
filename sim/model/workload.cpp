// Running a job's steps on a thread (docs/model.md G7: blocking
// calls and C code drop the GIL; returning to Python takes it back).
#include "sim/model/workload.hpp"

namespace gilsim::model {

using scenario::StepKind;

namespace {

Program run_job_steps(Engine& e, ThreadId t, const PlannedJob& job, const scenario::EffectiveSettings& settings,
                      SharedState& shared, ThreadId peer) {
  e.trace().job_started(job.index, e.lane(t), e.now());
  const std::uint32_t id = job.index;
  // The steps run in this one coroutine (a frame per step would be made and freed for
  // each of a lesson's thousands of tiny steps); only a lock's wait and a run of counter
  // increments have their own.
  // The step where the last steps_at_once() stopped after running some: it cannot run at
  // once now (a second ask, nothing done in between, would stop there again), so it goes
  // the long way without asking (lesson 15's threads run: each stretch that an event ends).
  std::size_t long_way = job.steps.size();
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
        if (i == long_way) {
          // the long way, below
        } else if (const std::size_t next = shared.steps_at_once(t, job, i, settings); next > i) {
          i = next - 1;  // U4: `with lock: counter += f()` with nothing in between
          long_way = next;
          break;
        }
        co_await shared.with_statement(t, id, index);
        if (!shared.try_acquire(t, step.target)) co_await shared.wait_to_acquire(t, step.target, id, index);
        break;
      case StepKind::Release:
        // L8: waking a thread asleep on the lock keeps the releaser in release() a while.
        if (shared.release(e.lane(t), step.target)) co_await shared.release_wake(t, id, index);
        break;
      case StepKind::Increment: {
        // The steps that run at once from here (U4), the with statements after the
        // increments too (lesson 15's `with lock: counter += f()`, where stopping at the
        // release began a stretch again at the next acquire); where they stop, the run of
        // increments from there goes the long way in one frame, its end found as it runs
        // (lesson 15's 20,000 in a row were looked over first, each time).
        const std::size_t steps = job.steps.size();
        std::size_t next = i;
        if (i != long_way) next = shared.steps_at_once(t, job, i, settings);
        if (next > i) {
          i = next - 1;
          long_way = next;
          break;
        }
        co_await shared.increment(t, job, i, steps - i, settings, trace::kNone, &next, false);
        i = next - 1;
        break;
      }
      case StepKind::Offload:
        break;  // never: outside asyncio the offloaded work runs inline, as its own kind
    }
  }
  e.trace().job_finished(job.index, e.now());
}

}  // namespace

JobRun run_job(Engine& e, ThreadId t, const PlannedJob& job, const scenario::EffectiveSettings& settings,
               SharedState& shared, ThreadId peer) {
  if (job.steps.size() == 1 && job.steps[0].kind == StepKind::Cpu) {
    return JobRun(e, t, job, scenario::python_cost(settings, job.steps[0].duration));
  }
  return JobRun(run_job_steps(e, t, job, settings, shared, peer));
}

}  // namespace gilsim::model

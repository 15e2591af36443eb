// Drawing the workload and running a job's steps on a thread (docs/model.md G7: blocking
// calls and C code drop the GIL; returning to Python takes it back).
#include "sim/model/workload.hpp"

namespace gilsim::model {

using scenario::StepKind;

std::vector<JobInstance> draw_workload(const scenario::Scenario& s, trace::TraceBuilder& builder) {
  Random random(s.seed);
  std::vector<JobInstance> jobs;
  jobs.reserve(static_cast<std::size_t>(s.total_jobs()));
  for (std::size_t k = 0; k < s.jobs.size(); ++k) {
    const auto& kind = s.jobs[k];
    std::vector<std::string> labels;
    labels.reserve(kind.steps.size());
    for (const auto& step : kind.steps) labels.push_back(scenario::step_label(s, step));
    const auto template_index = builder.add_template(kind.name, std::move(labels));
    for (int i = 0; i < kind.count; ++i) {
      JobInstance job;
      job.kind = &kind;
      job.id = builder.add_job(kind.count == 1 ? kind.name : fmt::format("{} {}", kind.name, i + 1), template_index);
      job.durations.reserve(kind.steps.size());
      for (const auto& step : kind.steps) job.durations.push_back(random.draw(step.duration));
      jobs.push_back(std::move(job));
    }
  }
  return jobs;
}

Time python_cost(const Engine& engine, const scenario::Python& python, Time work) {
  if (engine.config().gil != scenario::GilMode::None) return work;
  return Time{static_cast<std::int64_t>(static_cast<double>(work.ns()) * (1.0 + python.free_threading_overhead))};
}

namespace {

Program run_step(Engine& e, ThreadId t, const JobInstance& job, std::uint16_t index, const scenario::Step& step,
                 Time d, const scenario::Python& python, SharedState& shared) {
  const std::uint32_t id = job.id;
  const StepKind kind = step.kind == StepKind::Offload ? step.offload_work : step.kind;
  switch (kind) {
    case StepKind::Cpu:
      co_await e.compute(t, python_cost(e, python, d), Work::python(id, index));
      break;
    case StepKind::Native:
      co_await e.release_gil(t);
      co_await e.compute(t, d, Work::native(id, index));
      co_await e.acquire_gil(t);
      break;
    case StepKind::Io:
    case StepKind::Block:
      co_await e.release_gil(t);
      co_await e.wait(t, d, SpanState::BlockedIo, id, index);
      co_await e.acquire_gil(t);
      break;
    case StepKind::Sleep:
      co_await e.release_gil(t);
      co_await e.wait(t, d, SpanState::Sleeping, id, index);
      co_await e.acquire_gil(t);
      break;
    case StepKind::Acquire:
      co_await shared.acquire(t, step.target, id, index);
      break;
    case StepKind::Release:
      shared.release(e.lane(t), step.target);
      break;
    case StepKind::Increment:
      co_await shared.increment(t, step, python_cost(e, python, e.config().costs.increment),
                                python_cost(e, python, d), id, index);
      break;
    case StepKind::Offload:
      break;  // never: outside asyncio the offloaded work runs inline, as its own kind
  }
}

}  // namespace

Program run_job(Engine& e, ThreadId t, const JobInstance& job, const scenario::Python& python, SharedState& shared) {
  e.trace().job_started(job.id, e.lane(t), e.now());
  for (std::size_t i = 0; i < job.kind->steps.size(); ++i) {
    const auto label = i < trace::kNoStep ? static_cast<std::uint16_t>(i) : trace::kNoStep;
    co_await run_step(e, t, job, label, job.kind->steps[i], job.durations[i], python, shared);
  }
  e.trace().job_finished(job.id, e.now());
}

}  // namespace gilsim::model

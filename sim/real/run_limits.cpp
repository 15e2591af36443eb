// What a real run refuses to do on this machine, and why (execute.hpp's limits).
#include <algorithm>

#include <fmt/format.h>

#include "sim/real/execute.hpp"

namespace gilsim::real {

using scenario::Executor;
using scenario::StepKind;

namespace {
/// Work that keeps a core busy (cpu, native, a blocking call's CPU-less wait excluded).
bool burns_cpu(StepKind k) { return k == StepKind::Cpu || k == StepKind::Native; }
bool holds_gil(StepKind k) { return k == StepKind::Cpu; }

struct Totals {
  std::int64_t jobs = 0;
  std::int64_t steps = 0;
  std::int64_t longest_job_steps = 0;
  std::int64_t offloads = 0;
  std::int64_t peers = 0;  ///< jobs with an io step that has an answer: a peer process each (S9)
  std::int64_t payload_bytes = 0;
  Time cpu;          ///< cpu + native + offloaded cpu/native
  Time python;       ///< cpu steps and offloaded cpu: serialised by one GIL
  Time loop_thread;  ///< asyncio: what runs on the loop thread itself
  Time everything;   ///< all steps, end to end
  Time longest_job;
};

Totals add_up(const scenario::Scenario& s) {
  Totals t;
  for (const auto& tmpl : s.jobs) {
    const std::int64_t n = std::max(0, tmpl.count);
    Time job, loop, cpu, python;
    std::int64_t offloads = 0;
    bool peer = false;
    for (const auto& step : tmpl.steps) {
      peer = peer || step.answer > Time::zero();
      const Time d = step.duration.mean();
      job += d;
      const StepKind work = step.kind == StepKind::Offload ? step.offload_work : step.kind;
      if (burns_cpu(work)) cpu += d;
      if (holds_gil(work)) python += d;
      if (step.kind == StepKind::Offload) ++offloads;
      if (step.kind == StepKind::Cpu || step.kind == StepKind::Native || step.kind == StepKind::Block ||
          step.kind == StepKind::Disk) {
        loop += d;
      }
    }
    t.jobs += n;
    t.steps += n * static_cast<std::int64_t>(tmpl.steps.size());
    t.longest_job_steps = std::max<std::int64_t>(t.longest_job_steps, static_cast<std::int64_t>(tmpl.steps.size()));
    t.offloads += n * offloads;
    if (peer) t.peers += n;
    t.payload_bytes += n * (std::max<std::int64_t>(0, tmpl.arg_bytes) + std::max<std::int64_t>(0, tmpl.result_bytes));
    t.cpu += cpu * n;
    t.python += python * n;
    t.loop_thread += loop * n;
    t.everything += job * n;
    if (n > 0) t.longest_job = max(t.longest_job, job);
  }
  return t;
}
}  // namespace

std::optional<std::string> why_not_runnable(const scenario::Scenario& s, const scenario::Run& run) {
  const Totals t = add_up(s);
  const std::string who = fmt::format("run '{}' cannot run for real", run.name);
  const bool shared = !s.locks.empty() || !s.counters.empty();
  if (shared && (run.executor == Executor::ProcessPool || run.executor == Executor::Processes ||
                 run.executor == Executor::ProcessPoolExecutor)) {
    return fmt::format("{}: locks and counters across processes (a multiprocessing.Lock and Value in shared "
                       "memory) are simulated only", who);
  }
  if (t.jobs > kMaxRealJobs) {
    return fmt::format("{}: {} jobs, the limit is {}", who, t.jobs, kMaxRealJobs);
  }
  if (t.steps > kMaxRealSteps) {
    return fmt::format("{}: {} steps in all, the limit is {}", who, t.steps, kMaxRealSteps);
  }
  if (t.longest_job_steps >= trace::kNoStep) {
    return fmt::format("{}: a job has {} steps, the limit is {}", who, t.longest_job_steps, trace::kNoStep - 1);
  }
  if (t.cpu > kMaxRealCpuWork) {
    return fmt::format("{}: {} of CPU work in all, the limit is {}", who, t.cpu, kMaxRealCpuWork);
  }
  const int workers = scenario::effective_workers(s, run);
  if (scenario::effective_cores(s, run) < 1) return fmt::format("{}: it has no core", who);
  Time lower_bound = t.longest_job;
  const bool has_gil = scenario::effective_gil(s, run) != scenario::GilMode::None;
  switch (run.executor) {
    case Executor::Sequential: lower_bound = t.everything; break;
    case Executor::Threads:
      if (t.jobs > kMaxRealThreads) {
        return fmt::format("{}: one thread per job is {} threads, the limit is {}", who, t.jobs, kMaxRealThreads);
      }
      if (t.peers > kMaxRealProcesses) {
        return fmt::format("{}: one peer process per job with an answer is {} processes, the limit is {}", who, t.peers,
                           kMaxRealProcesses);
      }
      if (has_gil) lower_bound = max(lower_bound, t.python);
      break;
    case Executor::ThreadPool: {
      const std::int64_t threads = std::min<std::int64_t>(workers, t.jobs);
      if (threads > kMaxRealThreads) {
        return fmt::format("{}: a pool of {} threads, the limit is {}", who, threads, kMaxRealThreads);
      }
      if (has_gil) lower_bound = max(lower_bound, t.python);
      if (threads > 0) lower_bound = max(lower_bound, t.everything / threads);
      break;
    }
    case Executor::Asyncio: {
      const std::int64_t threads = std::min<std::int64_t>(workers, t.offloads);
      if (threads > kMaxRealThreads) {
        return fmt::format("{}: an executor of {} threads, the limit is {}", who, threads, kMaxRealThreads);
      }
      lower_bound = max(lower_bound, t.loop_thread);
      if (has_gil) lower_bound = max(lower_bound, t.python);
      break;
    }
    case Executor::ProcessPool:
    case Executor::ProcessPoolExecutor:
    case Executor::Processes: {
      const std::int64_t processes = run.executor == Executor::Processes ? t.jobs : workers;
      if (processes > kMaxRealProcesses) {
        return fmt::format("{}: {} {} processes, the limit is {}", who,
                           run.executor == Executor::Processes ? "one process per job is" : "a pool of", processes,
                           kMaxRealProcesses);
      }
      if (processes < 1 && run.executor != Executor::Processes) {
        return fmt::format("{}: a pool needs at least one worker", who);
      }
      if (t.payload_bytes > kMaxRealPayloadBytes) {
        return fmt::format("{}: {} bytes of arguments and results, the limit is {}", who, t.payload_bytes,
                           kMaxRealPayloadBytes);
      }
      lower_bound = max(lower_bound, t.everything / processes);
      break;
    }
  }
  if (lower_bound > kMaxRealDuration) {
    return fmt::format("{}: it would take at least {}, the limit is {}", who, lower_bound, kMaxRealDuration);
  }
  return std::nullopt;
}

}  // namespace gilsim::real

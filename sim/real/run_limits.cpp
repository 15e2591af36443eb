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

/// "run 'x' cannot run for real: 30000 jobs, the limit is 20000 (fixed); lower ...": what went
/// past which limit, and what in the scenario to lower. No option raises these limits: they
/// keep a real run on this machine short and within its threads, processes and memory.
std::string refused(const std::string& who, const std::string& what, const std::string& limit,
                    const std::string& lower) {
  return fmt::format("{}: {}, the limit is {} (fixed); {}", who, what, limit, lower);
}

/// What shortens a real run of `executor`: its jobs, their steps, and for a pool its workers.
std::string how_to_shorten(Executor executor) {
  switch (executor) {
    case Executor::ThreadPool:
    case Executor::ProcessPool:
    case Executor::ProcessPoolExecutor:
      return "shorten the run: fewer jobs (job.N.count), shorter steps, or more workers (run.NAME.workers)";
    case Executor::Sequential:
    case Executor::Threads:
    case Executor::Asyncio:
    case Executor::Processes: break;
  }
  return "shorten the run: fewer jobs (job.N.count) or shorter steps";
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
    return refused(who, fmt::format("{} jobs", t.jobs), fmt::format("{}", kMaxRealJobs), "lower the jobs' counts (job.N.count)");
  }
  if (t.steps > kMaxRealSteps) {
    return refused(who, fmt::format("{} steps in all", t.steps), fmt::format("{}", kMaxRealSteps),
                   "lower the jobs' counts (job.N.count) or their steps (a repeat's count)");
  }
  if (t.longest_job_steps >= trace::kNoStep) {
    return refused(who, fmt::format("a job has {} steps", t.longest_job_steps), fmt::format("{}", trace::kNoStep - 1),
                   "lower that job's steps (a repeat's count)");
  }
  if (t.cpu > kMaxRealCpuWork) {
    return refused(who, fmt::format("{} of CPU work in all", t.cpu), fmt::format("{}", kMaxRealCpuWork),
                   "lower the jobs' counts (job.N.count) or their cpu and native steps");
  }
  const int workers = scenario::effective_workers(s, run);
  if (scenario::effective_cores(s, run) < 1) return fmt::format("{}: it has no core", who);
  Time lower_bound = t.longest_job;
  const bool has_gil = scenario::effective_gil(s, run) != scenario::GilMode::None;
  switch (run.executor) {
    case Executor::Sequential: lower_bound = t.everything; break;
    case Executor::Threads:
      if (t.jobs > kMaxRealThreads) {
        return refused(who, fmt::format("one thread per job is {} threads", t.jobs), fmt::format("{}", kMaxRealThreads),
                       "lower the jobs' counts (job.N.count), or use a thread_pool run");
      }
      if (t.peers > kMaxRealProcesses) {
        return refused(who, fmt::format("one peer process per job with an answer is {} processes", t.peers),
                       fmt::format("{}", kMaxRealProcesses), "lower the counts of the jobs with an answer (job.N.count)");
      }
      if (has_gil) lower_bound = max(lower_bound, t.python);
      break;
    case Executor::ThreadPool: {
      const std::int64_t threads = std::min<std::int64_t>(workers, t.jobs);
      if (threads > kMaxRealThreads) {
        return refused(who, fmt::format("a pool of {} threads", threads), fmt::format("{}", kMaxRealThreads),
                       "lower its workers (run.NAME.workers)");
      }
      if (has_gil) lower_bound = max(lower_bound, t.python);
      if (threads > 0) lower_bound = max(lower_bound, t.everything / threads);
      break;
    }
    case Executor::Asyncio: {
      const std::int64_t threads = std::min<std::int64_t>(workers, t.offloads);
      if (threads > kMaxRealThreads) {
        return refused(who, fmt::format("an executor of {} threads", threads), fmt::format("{}", kMaxRealThreads),
                       "lower its workers (run.NAME.workers)");
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
        const bool per_job = run.executor == Executor::Processes;
        return refused(who, fmt::format("{} {} processes", per_job ? "one process per job is" : "a pool of", processes),
                       fmt::format("{}", kMaxRealProcesses),
                       per_job ? "lower the jobs' counts (job.N.count), or use a process_pool run"
                               : "lower its workers (run.NAME.workers)");
      }
      if (processes < 1 && run.executor != Executor::Processes) {
        return fmt::format("{}: a pool needs at least one worker", who);
      }
      if (t.payload_bytes > kMaxRealPayloadBytes) {
        return refused(who, fmt::format("{} bytes of arguments and results", t.payload_bytes),
                       fmt::format("{}", kMaxRealPayloadBytes),
                       "lower the jobs' arg_bytes and result_bytes, or their counts (job.N.count)");
      }
      lower_bound = max(lower_bound, t.everything / processes);
      break;
    }
  }
  if (lower_bound > kMaxRealDuration) {
    // --timeout (gilsim run) only stops a run sooner: a teacher trying it should not have to.
    return fmt::format("{}: it would take at least {}, the limit is {} (fixed: --timeout stops a run sooner, it does "
                       "not raise this); {}",
                       who, lower_bound, kMaxRealDuration, how_to_shorten(run.executor));
  }
  return std::nullopt;
}

}  // namespace gilsim::real

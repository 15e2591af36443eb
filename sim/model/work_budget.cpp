// The work estimate: steps, slices of CPU time between possible switches, and the trace
// bytes they leave; the check that refuses a command before it starts.
#include "sim/model/work_budget.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sim/trace/trace.hpp"

namespace gilsim::model {

namespace {

using scenario::Executor;
using scenario::StepKind;

// Events a step costs without any switch (start, end, waits, GIL and loop hand-offs), and
// a job's own (start, end, pickling and messages in a pool): generous, measured on the
// bundled scenarios with SimulationStats.
constexpr std::uint64_t kEventsPerStep = 8;
constexpr std::uint64_t kEventsPerJob = 16;
// A slice of CPU time ends in a switch: a drop request, a release, a wake-up, a take.
constexpr std::uint64_t kEventsPerSlice = 4;
// A span and a mark or so per event, with the vectors' spare capacity.
constexpr std::uint64_t kTraceBytesPerEvent = 2 * sizeof(trace::Span) + sizeof(trace::Mark);

bool uses_cpu(const scenario::Step& step) {
  const StepKind kind = step.kind == StepKind::Offload ? step.offload_work : step.kind;
  return kind == StepKind::Cpu || kind == StepKind::Native;
}

/// The shortest stretch of CPU time a thread runs before the model may switch it out.
Time slice_of(const scenario::Scenario& s, const scenario::Run& run) {
  Time slice = s.machine.quantum;
  if (run.executor != Executor::Sequential && run.executor != Executor::ProcessPool) {
    switch (scenario::effective_gil(s, run)) {
      case scenario::GilMode::New: slice = std::min(slice, scenario::effective_switch_interval(s, run)); break;
      case scenario::GilMode::Old: slice = std::min(slice, scenario::effective_check_period(s)); break;
      case scenario::GilMode::None: break;
    }
  }
  return std::max(slice, Time{1});
}

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

std::uint64_t saturating_multiply(std::uint64_t a, std::uint64_t b) {
  return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

}  // namespace

WorkEstimate estimate_work(const scenario::Scenario& s, const scenario::Run& run) {
  const auto slice = static_cast<std::uint64_t>(slice_of(s, run).ns());
  const auto peer_slice = static_cast<std::uint64_t>(std::max(s.machine.quantum, Time{1}).ns());
  WorkEstimate estimate;
  for (const scenario::JobTemplate& job : s.jobs) {
    // The steps' own events at once: the loop below reads only the steps that use the CPU
    // (lesson 15's 80,000 counter and lock steps, three runs per knob change, use none).
    std::uint64_t per_job = saturating_add(kEventsPerJob, saturating_multiply(kEventsPerStep, job.steps.size()));
    for (const scenario::Step& step : job.steps) {
      if (uses_cpu(step)) [[unlikely]] {
        const auto cpu_ns = static_cast<std::uint64_t>(std::max<std::int64_t>(0, step.duration.mean().ns()));
        per_job = saturating_add(per_job, saturating_multiply(kEventsPerSlice, cpu_ns / slice));
      }
      if (step.answer > Time::zero()) [[unlikely]] {
        // The peer's answer is CPU time of its own process (S9): no GIL, but the OS's time
        // slices wherever it shares a core.
        const auto answer_ns = static_cast<std::uint64_t>(step.answer.ns());
        per_job = saturating_add(per_job, saturating_multiply(kEventsPerSlice, answer_ns / peer_slice));
      }
    }
    const auto count = static_cast<std::uint64_t>(std::max(0, job.count));
    estimate.steps = saturating_add(estimate.steps, saturating_multiply(count, job.steps.size()));
    estimate.events = saturating_add(estimate.events, saturating_multiply(count, per_job));
  }
  if (run.executor == Executor::ProcessPool) {
    // Pool's worker handler loops while a result waits unread in the result pipe (P6): a
    // few loops per chunk, and at worst, for each chunk, until the result handler's next
    // drop request, a switch interval; never longer than the run's CPU work one piece
    // after another, jobs and messages.
    const auto& c = s.costs;
    const auto chunks = static_cast<std::uint64_t>(std::max(1, s.total_jobs())) /
                            static_cast<std::uint64_t>(std::max(1, scenario::effective_chunksize(s, run))) + 1;
    std::int64_t cpu_ns = 0;
    for (const scenario::JobTemplate& job : s.jobs) {
      const double bytes = static_cast<double>(job.arg_bytes + job.result_bytes);
      std::int64_t per_job = static_cast<std::int64_t>(bytes / c.ipc_bandwidth * 1e9);
      if (c.ipc_pipe_bandwidth > 0.0) per_job += static_cast<std::int64_t>(bytes / c.ipc_pipe_bandwidth * 1e9);  // P7c
      for (const scenario::Step& step : job.steps) {
        if (uses_cpu(step)) per_job += std::max<std::int64_t>(0, step.duration.mean().ns());
      }
      cpu_ns += std::max(0, job.count) * per_job;
    }
    cpu_ns += static_cast<std::int64_t>(chunks) * 2 * (c.ipc_message + c.pool_wakeup).ns();
    const double spin_ns = std::min(static_cast<double>(cpu_ns),
                                    static_cast<double>(chunks) *
                                        static_cast<double>(scenario::effective_switch_interval(s, run).ns()));
    const double loop_ns = static_cast<double>(std::max<std::int64_t>(1'000, (c.pool_wakeup + c.ipc_syscall).ns()));
    const auto loops = static_cast<std::uint64_t>(spin_ns / loop_ns) + 4 * chunks;
    estimate.events = saturating_add(estimate.events, saturating_multiply(loops, 2 * kEventsPerSlice));
  }
  estimate.trace_bytes = saturating_multiply(estimate.events, kTraceBytesPerEvent);
  return estimate;
}

void check_work(const std::vector<std::pair<const scenario::Scenario*, const scenario::Run*>>& runs,
                std::uint64_t max_events, const std::string& how_to_raise) {
  std::vector<std::pair<const scenario::Run*, WorkEstimate>> estimated;
  estimated.reserve(runs.size());
  for (const auto& [s, run] : runs) estimated.emplace_back(run, estimate_work(*s, *run));
  check_work(estimated, max_events, how_to_raise);
}

void check_work(const std::vector<std::pair<const scenario::Run*, WorkEstimate>>& estimated,
                std::uint64_t max_events, const std::string& how_to_raise) {
  // Each run has the whole limit to itself, in `gilsim run` as in the viewer: the run named
  // is the largest over it, and the others over it are counted.
  const scenario::Run* largest = nullptr;
  WorkEstimate largest_estimate;
  std::size_t over = 0;
  for (const auto& [run, e] : estimated) {
    if (e.events <= max_events) continue;
    ++over;
    if (largest == nullptr || e.events > largest_estimate.events) {
      largest = run;
      largest_estimate = e;
    }
  }
  if (largest == nullptr) return;
  const std::string others =
      over == 1 ? "" : fmt::format(" ({} other run{} over it too)", over - 1, over == 2 ? " is" : "s are");
  // A small run refused by a low --max-events would read "0.0 GB": below a gigabyte, megabytes.
  const double trace_bytes = static_cast<double>(largest_estimate.trace_bytes);
  const std::string trace_size =
      trace_bytes >= 1e9 ? fmt::format("{:.1f} GB", trace_bytes / 1e9) : fmt::format("{:.1f} MB", trace_bytes / 1e6);
  throw WorkLimitExceeded(fmt::format(
      "run '{}' would take about {} events of the model ({} steps, {} of trace), above the limit of {} event{} for "
      "one run{}; make the scenario smaller (fewer jobs or steps, a longer switch_interval) or {}",
      largest->name, largest_estimate.events, largest_estimate.steps, trace_size, max_events, max_events == 1 ? "" : "s",
      others, how_to_raise));
}

}  // namespace gilsim::model

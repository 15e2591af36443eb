// sequential, threads (one per job) and thread_pool (a FIFO queue and W workers), all in
// this process on one real GIL.
#include <atomic>
#include <memory>

#include <fmt/format.h>

#include "sim/real/executors.hpp"
#include "sim/real/job_runner.hpp"
#include "sim/real/real_gil.hpp"
#include "sim/real/real_shared.hpp"
#include "sim/real/thread_group.hpp"

namespace gilsim::real {

using trace::LaneKind;
using trace::MarkKind;
using trace::SpanState;

trace::ProcessId add_main_process(RunInputs& in) {
  const trace::ProcessId process = in.builder.add_process("main", in.ctx.settings().gil != scenario::GilMode::None);
  if (RealShared* shared = in.ctx.shared()) shared->add_lanes(in.builder, process);
  return process;
}

void append_records(std::vector<Record>& to, std::vector<Record>& from) {
  to.insert(to.end(), from.begin(), from.end());
  from.clear();
  from.shrink_to_fit();
}

namespace {

std::unique_ptr<RealGil> make_gil(RunInputs& in, trace::ProcessId process) {
  const trace::LaneId lane = in.builder.gil_lane(process);
  if (lane == trace::kNone) return nullptr;
  return std::make_unique<RealGil>(in.ctx, lane);
}

}  // namespace

ExecutorOutput run_sequential(RunInputs& in) {
  const trace::ProcessId process = add_main_process(in);
  auto gil = make_gil(in, process);
  ThreadGroup group(in, process, gil.get());
  group.add_lane("main");
  group.run_here(0, [&](GilSeat& seat) {
    seat.take(SpanState::Running);
    for (const PlannedJob& job : in.jobs) run_job(in.ctx, seat, job);
    seat.drop(DropReason::Exit);
  });
  return group.finish();
}

ExecutorOutput run_threads(RunInputs& in) {
  const trace::ProcessId process = add_main_process(in);
  auto gil = make_gil(in, process);
  ThreadGroup group(in, process, gil.get());
  group.add_lane("main");
  group.run_here(0, [&](GilSeat& seat) {
    // The main thread starts the threads holding the GIL, then join() waits without it.
    seat.take(SpanState::Running);
    for (std::size_t i = 0; i < in.jobs.size(); ++i) {
      const PlannedJob& job = in.jobs[i];
      const std::size_t index = group.add_lane(fmt::format("T{}", i + 1));
      group.start(index, 0, [&in, &job](GilSeat& own) {
        own.take(SpanState::Running, job.index, job.steps.empty() ? trace::kNoStep : 0);
        run_job(in.ctx, own, job);
        own.drop(DropReason::Exit);
      });
    }
    seat.drop(DropReason::Idle);
  });
  return group.finish();
}

ExecutorOutput run_thread_pool(RunInputs& in) {
  const trace::ProcessId process = add_main_process(in);
  auto gil = make_gil(in, process);
  ThreadGroup group(in, process, gil.get());
  group.add_lane("main");
  const int workers = std::min<int>(scenario::effective_workers(in.scenario, in.run),
                                    static_cast<int>(in.jobs.size()));
  // T3: one FIFO queue of every submitted job; an idle worker takes the next. submit()
  // starts a worker while below max_workers, and all jobs are submitted at once, so
  // min(max_workers, jobs) workers start. A worker keeps the GIL from one job to the next
  // (the queue's get does not block while it has items).
  std::atomic<std::size_t> next_job{0};
  group.run_here(0, [&](GilSeat& seat) {
    seat.take(SpanState::Running);
    for (int i = 0; i < workers; ++i) {
      const std::size_t index = group.add_lane(fmt::format("worker {}", i + 1));
      group.start(index, 0, [&in, &next_job](GilSeat& own) {
        own.take(SpanState::Running);
        for (;;) {
          const std::size_t j = next_job.fetch_add(1);
          if (j >= in.jobs.size()) break;
          run_job(in.ctx, own, in.jobs[j]);
        }
        own.drop(DropReason::Exit);
      });
    }
    seat.drop(DropReason::Idle);
  });
  return group.finish();
}

}  // namespace gilsim::real

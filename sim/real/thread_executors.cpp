// sequential, threads (one per job) and thread_pool (a FIFO queue and W workers), all in
// this process on one real GIL.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <memory>

#include <fmt/format.h>

#include "sim/real/executors.hpp"
#include "sim/real/job_runner.hpp"
#include "sim/real/peer_process.hpp"
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
  if (to.empty()) {
    to.swap(from);  // no copy
    return;
  }
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
    for (const scenario::PlannedJob& job : in.jobs) run_job(in.ctx, seat, job);
    seat.drop(DropReason::Exit);
  });
  return group.finish();
}

ExecutorOutput run_threads(RunInputs& in) {
  const trace::ProcessId process = add_main_process(in);
  auto gil = make_gil(in, process);
  // S9: the jobs' peer processes are forked before any thread starts.
  PeerSet peers(in.ctx, in.jobs);
  in.ctx.set_peers(peers.size() > 0 ? &peers : nullptr);
  const struct Unset {
    RunContext& ctx;
    ~Unset() { ctx.set_peers(nullptr); }
  } unset{in.ctx};
  ThreadGroup group(in, process, gil.get());  // after the peers: its threads end before they go
  group.add_lane("main");
  LanePins pins;
  group.run_here(0, [&](GilSeat& seat) {
    // The main thread starts the threads holding the GIL, each start() waiting for the new
    // thread's bootstrap (T1a), then join() waits without it.
    seat.take(SpanState::Running);
    for (std::size_t i = 0; i < in.jobs.size(); ++i) {
      const scenario::PlannedJob& job = in.jobs[i];
      const std::size_t index = group.add_lane(fmt::format("T{}", i + 1));
      peers.add_lanes(in.builder, job);
      if (!job.cpus.empty()) pins.emplace_back(group.lane(index), job.cpus);
      group.start_and_wait(index, seat, 0, [&in, &job](GilSeat& own) {
        in.ctx.pin_current_thread_to(job.cpus);  // S9: os.sched_setaffinity, its first statement
        own.take(SpanState::Running, job.index, job.steps.empty() ? trace::kNoStep : 0);
        run_job(in.ctx, own, job);
        own.drop(DropReason::Exit);
      });
    }
    seat.drop(DropReason::Idle);
  });
  ExecutorOutput out = group.finish();
  peers.finish(out.records, pins);
  out.pins = std::move(pins);
  return out;
}

ExecutorOutput run_thread_pool(RunInputs& in) {
  // T3: one FIFO queue of submitted jobs; submit() grows the pool by the rule the model
  // uses (scenario::ThreadPoolGrowth). A worker keeps the GIL from one job to the next
  // while the queue has items, and waits without it when the queue is empty.
  std::mutex mutex;
  std::condition_variable queued;
  std::size_t submitted = 0;
  std::size_t next_job = 0;
  bool closed = false;
  scenario::ThreadPoolGrowth growth(in.ctx.settings().workers);
  AbortHook wake_on_abort(in.ctx, [&] {
    std::lock_guard lock(mutex);
    queued.notify_all();
  });
  // Declared after the shared state: the group joins its threads before that state ends.
  const trace::ProcessId process = add_main_process(in);
  auto gil = make_gil(in, process);
  ThreadGroup group(in, process, gil.get());
  group.add_lane("main");
  const auto worker = [&](GilSeat& own) {
    own.take(SpanState::Running);
    for (;;) {
      std::unique_lock lock(mutex);
      if (next_job == submitted && !closed) {
        lock.unlock();
        own.drop(DropReason::Idle);  // work_queue.get() blocks without the GIL
        lock.lock();
        queued.wait(lock, [&] { return next_job < submitted || closed || in.ctx.aborted(); });
        in.ctx.throw_if_aborted();
        if (next_job == submitted) break;
        lock.unlock();
        own.take(SpanState::Running);
        lock.lock();
      }
      if (next_job == submitted) break;
      const scenario::PlannedJob& job = in.jobs[next_job++];
      lock.unlock();
      run_job(in.ctx, own, job);
      lock.lock();
      growth.worker_idle();
    }
    if (own.holds()) own.drop(DropReason::Exit);
  };
  group.run_here(0, [&](GilSeat& seat) {
    seat.take(SpanState::Running);
    for (std::size_t j = 0; j < in.jobs.size(); ++j) {
      bool start = false;
      {
        std::lock_guard lock(mutex);
        start = growth.submit();
        ++submitted;
        queued.notify_one();
      }
      if (start) group.start_and_wait(group.add_lane(fmt::format("worker {}", growth.threads())), seat, 0, worker);
    }
    {
      std::lock_guard lock(mutex);
      closed = true;  // shutdown(wait=True) as the with-block ends
      queued.notify_all();
    }
    seat.drop(DropReason::Idle);
  });
  return group.finish();
}

}  // namespace gilsim::real

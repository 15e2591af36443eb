// sequential, threads (one per job) and thread_pool (a FIFO queue and W workers), all in
// this process on one real GIL.
#include <atomic>
#include <exception>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "sim/real/executors.hpp"
#include "sim/real/job_runner.hpp"
#include "sim/real/real_gil.hpp"

namespace gilsim::real {

using trace::LaneKind;
using trace::MarkKind;
using trace::SpanState;

trace::ProcessId add_main_process(RunInputs& in) {
  return in.builder.add_process("main", in.ctx.settings().gil != scenario::GilMode::None);
}

void append_records(std::vector<Record>& to, std::vector<Record>& from) {
  to.insert(to.end(), from.begin(), from.end());
  from.clear();
  from.shrink_to_fit();
}

namespace {

/// Threads of one process: each has a lane, a recorder and a seat at the process's GIL.
class ThreadGroup {
 public:
  ThreadGroup(RunInputs& in, trace::ProcessId process, RealGil* gil)
      : in_(in), process_(process), gil_(gil) {}
  ~ThreadGroup() {
    if (std::uncaught_exceptions() > 0) in_.ctx.request_abort();  // e.g. a thread failed to start
    join_all();
  }

  /// The calling thread's own lane (the Python main thread).
  trace::LaneId add_lane(std::string name, LaneKind kind = LaneKind::Thread) {
    const trace::LaneId lane = in_.builder.add_lane(std::move(name), kind, process_);
    recorders_.push_back(std::make_unique<Recorder>());
    lanes_.push_back(lane);
    return lane;
  }
  Recorder& recorder(std::size_t i) { return *recorders_[i]; }
  trace::LaneId lane(std::size_t i) const { return lanes_[i]; }

  /// Starts thread `i` (a lane added before) running `body(seat)`; `parent` is the spawning
  /// thread's index. The new thread shows Starting until it runs.
  template <typename Body>
  void start(std::size_t i, std::size_t parent, Body body) {
    const Time at = in_.ctx.now();
    recorder(parent).state(at, lane(i), SpanState::Starting);
    const trace::LaneId parent_lane = lane(parent);
    threads_.emplace_back([this, i, body, at, parent_lane]() mutable {
      // The new thread knows how long its start took; it writes its parent's Spawn mark.
      recorder(i).mark(at, MarkKind::Spawn, parent_lane, lane(i), (in_.ctx.now() - at).ns());
      in_.ctx.pin_current_thread();
      GilSeat seat(in_.ctx, gil_, lane(i), recorder(i));
      try {
        body(seat);
        seat.flush();
      } catch (const RunAborted&) {
      } catch (...) {
        std::lock_guard lock(error_mutex_);
        if (!error_) error_ = std::current_exception();
        in_.ctx.request_abort();
      }
    });
  }

  /// Runs `body` on the calling thread as thread `i`; exceptions go to the caller.
  template <typename Body>
  void run_here(std::size_t i, Body body) {
    in_.ctx.pin_current_thread();
    GilSeat seat(in_.ctx, gil_, lane(i), recorder(i));
    body(seat);
    seat.flush();
  }

  void join_all() {
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

  /// Joins every thread, rethrows the first failure, and hands over the records.
  ExecutorOutput finish() {
    join_all();
    if (error_) std::rethrow_exception(error_);
    in_.ctx.throw_if_aborted();
    ExecutorOutput out;
    for (auto& r : recorders_) {
      for (const Record& rec : r->records()) {
        if (rec.kind == RecordKind::JobEnd) out.end = max(out.end, Time{rec.at_ns});
      }
      append_records(out.records, r->records());
    }
    return out;
  }

 private:
  RunInputs& in_;
  trace::ProcessId process_;
  RealGil* gil_;
  std::vector<std::unique_ptr<Recorder>> recorders_;
  std::vector<trace::LaneId> lanes_;
  std::vector<std::thread> threads_;
  std::mutex error_mutex_;
  std::exception_ptr error_;
};

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
  for (std::size_t i = 0; i < in.jobs.size(); ++i) group.add_lane(fmt::format("T{}", i + 1));
  for (std::size_t i = 0; i < in.jobs.size(); ++i) {
    const PlannedJob& job = in.jobs[i];
    group.start(i + 1, 0, [&in, &job](GilSeat& seat) {
      seat.take(SpanState::Running, job.index, job.steps.empty() ? trace::kNoStep : 0);
      run_job(in.ctx, seat, job);
      seat.drop(DropReason::Exit);
    });
  }
  return group.finish();
}

ExecutorOutput run_thread_pool(RunInputs& in) {
  const trace::ProcessId process = add_main_process(in);
  auto gil = make_gil(in, process);
  ThreadGroup group(in, process, gil.get());
  group.add_lane("main");
  const int workers = std::min<int>(scenario::effective_workers(in.scenario, in.run),
                                    static_cast<int>(in.jobs.size()));
  for (int i = 0; i < workers; ++i) group.add_lane(fmt::format("T{}", i + 1));
  // T3: one FIFO queue of every submitted job; an idle worker takes the next. A worker keeps
  // the GIL from one job to the next (the queue's get does not block while it has items).
  std::atomic<std::size_t> next_job{0};
  for (int i = 0; i < workers; ++i) {
    group.start(static_cast<std::size_t>(i) + 1, 0, [&in, &next_job](GilSeat& seat) {
      seat.take(SpanState::Running);
      for (;;) {
        const std::size_t j = next_job.fetch_add(1);
        if (j >= in.jobs.size()) break;
        run_job(in.ctx, seat, in.jobs[j]);
      }
      seat.drop(DropReason::Exit);
    });
  }
  return group.finish();
}

}  // namespace gilsim::real

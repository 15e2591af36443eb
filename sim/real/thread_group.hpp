// The threads of one process in a real run: each has a lane, its own recorder and a seat
// at the process's GIL; the group joins them all, whatever happens.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sim/real/core_waits.hpp"
#include "sim/real/executors.hpp"
#include "sim/real/real_gil.hpp"

namespace gilsim::real {

/// Threads of one process: each has a lane, a recorder and a seat at the process's GIL.
class ThreadGroup {
 public:
  ThreadGroup(RunInputs& in, trace::ProcessId process, RealGil* gil)
      : in_(in), process_(process), gil_(gil) {}
  ~ThreadGroup() {
    if (std::uncaught_exceptions() > 0) in_.ctx.request_abort();  // e.g. a thread failed to start
    join_all();
  }

  /// A thread lane and its recorder; index 0 is usually the calling thread's own (the
  /// Python main thread). Only the calling thread adds lanes, also while others run.
  std::size_t add_lane(std::string name, trace::LaneKind kind = trace::LaneKind::Thread) {
    const trace::LaneId lane = in_.builder.add_lane(std::move(name), kind, process_);
    recorders_.emplace_back();
    lanes_.push_back(lane);
    return lanes_.size() - 1;
  }
  /// Stable: recorders live in a deque, so adding lanes never moves them.
  Recorder& recorder(std::size_t i) { return recorders_[i]; }
  trace::LaneId lane(std::size_t i) const { return lanes_[i]; }

  /// Starts thread `i` (a lane added before) running `body(seat)`; `parent` is the spawning
  /// thread's index. The new thread shows Starting until it runs.
  template <typename Body>
  void start(std::size_t i, std::size_t parent, Body body) {
    const Time at = in_.ctx.now();
    recorder(parent).state(at, lane(i), trace::SpanState::Starting);
    const trace::LaneId parent_lane = lane(parent);
    const trace::LaneId own_lane = lane(i);
    Recorder& own = recorder(i);
    threads_.emplace_back([this, &own, own_lane, body, at, parent_lane]() mutable {
      const CoreWaitCount waits(in_.ctx, CoreWaitCount::Since::ThreadStart);  // its start's wait too
      // The new thread knows how long its start took; it writes its parent's Spawn mark.
      own.mark(at, trace::MarkKind::Spawn, parent_lane, own_lane, (in_.ctx.now() - at).ns());
      in_.ctx.pin_current_thread();
      GilSeat seat(in_.ctx, gil_, own_lane, own);
      try {
        body(seat);
        seat.flush();
      } catch (const RunAborted&) {
        if (in_.ctx.stopped()) seat.flush();  // a planned stop (a deadlock): keep its last release
      } catch (...) {
        std::lock_guard lock(error_mutex_);
        if (!error_) error_ = std::current_exception();
        in_.ctx.request_abort();
      }
    });
  }

  /// Starts thread `i` as `threading.Thread.start()` does (T1a in docs/model.md): the
  /// starter, holding the GIL in `starter`, waits without it (`_started.wait()`) until the
  /// new thread has taken the GIL for its bootstrap, then takes the GIL back: a switch
  /// interval later (G2) when the new thread computes. `body` must take the GIL first.
  template <typename Body>
  void start_and_wait(std::size_t i, GilSeat& starter, std::size_t parent, Body body) {
    auto gate = std::make_shared<StartGate>();
    start(i, parent, [gate, body](GilSeat& own) mutable {
      const struct OpenAnyway {  // a body that fails before its first take must not hang the starter
        StartGate& gate;
        ~OpenAnyway() { gate.open(); }
      } open_anyway{*gate};
      own.on_next_take([gate] { gate->open(); });
      body(own);
    });
    starter.drop(DropReason::Idle);  // a lock wait: no core, no state, as the model's starter
    gate->wait(in_.ctx);
    starter.take(trace::SpanState::Running);
  }

  /// Runs `body` on the calling thread as thread `i`; exceptions go to the caller.
  template <typename Body>
  void run_here(std::size_t i, Body body) {
    const CoreWaitCount waits(in_.ctx, CoreWaitCount::Since::Now);
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

  /// Joins every thread and rethrows the first failure of one of them, if any.
  void join_and_rethrow() {
    join_all();
    if (error_) std::rethrow_exception(error_);
  }

  /// Joins every thread, rethrows the first failure, and hands over the records.
  ExecutorOutput finish() {
    join_and_rethrow();
    if (!in_.ctx.stopped()) in_.ctx.throw_if_aborted();
    ExecutorOutput out;
    out.records = take_warm_output();  // gathered with no page fault, as they were written
    for (auto& r : recorders_) r.append_to(out.records);
    for (const Record& rec : out.records) {
      if (rec.kind == RecordKind::JobEnd) out.end = max(out.end, Time{rec.at_ns});
    }
    return out;
  }

 private:
  /// Thread.start()'s `_started` Event.
  struct StartGate {
    std::mutex mutex;
    std::condition_variable cv;
    bool opened = false;
    void open() {
      std::lock_guard lock(mutex);
      opened = true;
      cv.notify_all();
    }
    /// Waits until opened; wakes now and then to notice an abort (then throws RunAborted).
    void wait(RunContext& ctx) {
      std::unique_lock lock(mutex);
      while (!cv.wait_for(lock, std::chrono::milliseconds(20), [&] { return opened; })) ctx.throw_if_aborted();
    }
  };

  RunInputs& in_;
  trace::ProcessId process_;
  RealGil* gil_;
  std::deque<Recorder> recorders_;
  std::vector<trace::LaneId> lanes_;
  std::vector<std::thread> threads_;
  std::mutex error_mutex_;
  std::exception_ptr error_;
};

}  // namespace gilsim::real

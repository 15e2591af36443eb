// Running the job plan's jobs (sim/scenario/job_plan.hpp) on simulated threads, and the
// work queue pool threads share.
#pragma once

#include <deque>
#include <optional>
#include <vector>

#include "sim/model/engine.hpp"
#include "sim/model/shared_state.hpp"
#include "sim/scenario/effective_settings.hpp"
#include "sim/scenario/job_plan.hpp"

namespace gilsim::model {

using scenario::PlannedJob;

/// `co_await run_job(...)`: a job of one step of Python (lesson 10's tiny tasks, 16,000 of
/// them in its four runs) runs that compute in the awaiting program, its start and end marked
/// around it as run_job_steps() marks them, with no coroutine of its own; any other job runs
/// in run_job_steps().
class [[nodiscard]] JobRun {
 public:
  JobRun(Engine& engine, ThreadId thread, const PlannedJob& job, Time python)
      : engine_(&engine), thread_(thread), job_(&job), python_(python) {}
  explicit JobRun(Program steps) : steps_(std::move(steps)) {}

  bool await_ready() {
    if (engine_ == nullptr) return steps_.await_ready();
    engine_->trace().job_started(job_->index, engine_->lane(thread_), engine_->now());
    return engine_->compute(thread_, python_, Work::python(job_->index, 0)).ready;
  }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiter) {
    if (engine_ == nullptr) return steps_.await_suspend(awaiter);
    Operation{engine_, thread_, false}.await_suspend(awaiter);  // the compute's end resumes the awaiter
    return std::noop_coroutine();
  }
  /// After the compute's end, at once or resumed by it; a job run in `steps_` marked its own.
  void await_resume() {
    if (engine_ != nullptr) engine_->trace().job_finished(job_->index, engine_->now());
  }

 private:
  Engine* engine_ = nullptr;  ///< null: the job runs in `steps_`
  ThreadId thread_ = 0;
  const PlannedJob* job_ = nullptr;
  Time python_;
  Program steps_;
};

/// Runs one job's steps on a thread that holds the GIL when it starts and when it ends.
/// `peer` answers its io steps that have an `answer` (start_peer()).
JobRun run_job(Engine& engine, ThreadId thread, const PlannedJob& job, const scenario::EffectiveSettings& settings,
               SharedState& shared, ThreadId peer = trace::kNone);

/// The peer process that answers `job`'s io steps with an `answer` (docs/model.md S9),
/// started now, pinned to the job's peer_cpus and waiting for `client`'s first request;
/// trace::kNone when the job has no such step.
ThreadId start_peer(Engine& engine, ThreadId client, const PlannedJob& job);

/// A thread blocked in the kernel (a lock's futex, a pipe's read), signalled now, gets to
/// run after G8's wake-up, shown as waiting for a core (P4a, P4b); so does a new thread's
/// first run (T1a). An operation, not a coroutine: a pool's handler threads wake from a
/// block every few tasks.
Operation wake_from_block(Engine& e, ThreadId self);

/// Items waiting for pool threads; sleepers are woken one per item (a SimpleQueue, T3).
template <typename Item>
class WorkQueue {
 public:
  void push(Engine& engine, Item item) {
    items_.push_back(std::move(item));
    if (!sleepers_.empty()) {
      engine.notify(sleepers_.front());
      sleepers_.pop_front();
    }
  }
  bool empty() const { return items_.empty(); }
  Item pop() {
    Item item = std::move(items_.front());
    items_.pop_front();
    return item;
  }
  std::size_t size() const { return items_.size(); }
  /// get() without waiting, and without a coroutine: true when it took the next item into
  /// `out`, or left `out` empty as the queue is closed and drained; false when get() would
  /// wait. A busy pool's get() mostly finds an item there: `if (!q.try_get(out)) co_await
  /// q.get(...)` saves a coroutine each time (a chunksize-1 process pool's two a task).
  bool try_get(std::optional<Item>& out) {
    if (!items_.empty()) {
      out = pop();
      return true;
    }
    out.reset();
    return closed_;
  }
  /// Takes the next item into `out`, waiting without the GIL while the queue is empty (as
  /// queue.get() blocks on a lock); `out` stays empty once the queue is closed and drained.
  /// `woken_late`: an item's wake-up costs G8's, before the thread runs and takes its GIL (G8a).
  Program get(Engine& engine, ThreadId self, std::optional<Item>& out, bool woken_late = false) {
    out.reset();
    while (items_.empty()) {
      if (closed_) co_return;
      sleepers_.push_back(self);
      co_await engine.release_gil(self);
      co_await engine.wait_for_notify(self, std::nullopt);
      if (woken_late && !items_.empty()) co_await wake_from_block(engine, self);
      co_await engine.acquire_gil(self);
    }
    out = pop();
  }
  void close(Engine& engine) {
    closed_ = true;
    while (!sleepers_.empty()) {
      engine.notify(sleepers_.front());
      sleepers_.pop_front();
    }
  }
  bool closed() const { return closed_; }

 private:
  std::deque<Item> items_;
  std::deque<ThreadId> sleepers_;
  bool closed_ = false;
};

}  // namespace gilsim::model

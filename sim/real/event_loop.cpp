// asyncio for real: one loop thread with a FIFO ready queue, a timer heap and a poll on an
// eventfd (A1-A5); io and sleep are awaited timers, block really blocks the loop thread,
// offload goes to a real thread pool whose threads share the loop's GIL (A7).
#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <queue>
#include <stdexcept>
#include <tuple>

#include <fmt/format.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "sim/real/executors.hpp"
#include "sim/real/job_runner.hpp"
#include "sim/real/real_shared.hpp"
#include "sim/real/thread_group.hpp"

namespace gilsim::real {

using scenario::StepKind;
using trace::MarkKind;
using trace::SpanState;

namespace {

struct TaskState {
  const scenario::PlannedJob* job = nullptr;
  trace::LaneId lane = trace::kNone;
  std::size_t next_step = 0;
  bool started = false;
};

/// The loop's default executor: a ThreadPoolExecutor that starts threads on demand (T3),
/// up to max_workers; finished work wakes the loop through an eventfd (call_soon_threadsafe).
class OffloadPool {
 public:
  OffloadPool(RunContext& ctx, ThreadGroup& group, std::size_t loop_index, int max_workers)
      : ctx_(ctx), group_(group), loop_index_(loop_index), growth_(max_workers),
        wake_on_abort_(ctx, [this] {
          std::lock_guard lock(mutex_);
          work_cv_.notify_all();
        }) {
    wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) throw std::runtime_error(fmt::format("eventfd: {}", std::strerror(errno)));
  }
  ~OffloadPool() {
    stop();
    group_.join_all();  // the workers use this pool until they end
    close(wake_fd_);
  }

  int wake_fd() const { return wake_fd_; }

  /// From the loop thread: queue `work` for task `task`; start a thread if none is idle.
  /// `loop` is the loop thread's seat: Thread.start() waits for the new thread (T1a).
  void submit(GilSeat& loop, std::uint32_t task, const scenario::PlannedJob& job, std::uint16_t step,
              scenario::PlannedStep work) {
    bool start_thread = false;
    int number = 0;
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(Item{task, &job, step, work});
      start_thread = growth_.submit();
      number = growth_.threads() - 1;
      work_cv_.notify_one();
    }
    if (start_thread) {
      const std::size_t index = group_.add_lane(fmt::format("asyncio_{}", number));
      group_.start_and_wait(index, loop, loop_index_, [this](GilSeat& seat) { serve(seat); });
    }
  }

  /// From the loop thread: tasks whose work is done since the last call.
  std::vector<std::uint32_t> take_completed() {
    std::uint64_t count = 0;
    [[maybe_unused]] auto got = read(wake_fd_, &count, sizeof(count));
    std::lock_guard lock(mutex_);
    std::vector<std::uint32_t> done;
    done.swap(completed_);
    return done;
  }

  void stop() {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    work_cv_.notify_all();
  }

 private:
  struct Item {
    std::uint32_t task;
    const scenario::PlannedJob* job;
    std::uint16_t step;
    scenario::PlannedStep work;
  };

  void serve(GilSeat& seat) {
    seat.take(SpanState::Running);  // a new thread starts by taking the GIL
    for (;;) {
      seat.drop(DropReason::Idle);  // work_queue.get() blocks without the GIL
      Item item;
      {
        std::unique_lock lock(mutex_);
        work_cv_.wait(lock, [&] { return !queue_.empty() || stopping_ || ctx_.aborted(); });
        ctx_.throw_if_aborted();
        if (queue_.empty()) return;
        item = queue_.front();
        queue_.pop_front();
      }
      const std::uint32_t j = item.job->index;
      seat.take(SpanState::Running, j, item.step);
      switch (item.work.kind) {
        case StepKind::Cpu:
        case StepKind::Offload: run_python_work(ctx_, seat, item.work.duration, j, item.step); break;
        case StepKind::Acquire:
        case StepKind::Release:
        case StepKind::Increment: break;  // never offloaded: the loader offloads only cpu, native, io, sleep, disk
        case StepKind::Native:
          seat.drop(DropReason::Blocking, SpanState::Native, j, item.step);
          run_native_work(ctx_, item.work.duration);
          seat.take(SpanState::Running, j, item.step);
          break;
        case StepKind::Io:
        case StepKind::Disk:
        case StepKind::Block:
        case StepKind::Sleep:
          seat.drop(DropReason::Blocking,
                    item.work.kind == StepKind::Sleep ? SpanState::Sleeping : SpanState::BlockedIo, j, item.step);
          ctx_.block_for(item.work.duration);
          seat.take(SpanState::Running, j, item.step);
          break;
      }
      {
        std::lock_guard lock(mutex_);
        completed_.push_back(item.task);
        growth_.worker_idle();
      }
      const std::uint64_t one = 1;
      [[maybe_unused]] auto put = write(wake_fd_, &one, sizeof(one));
    }
  }

  RunContext& ctx_;
  ThreadGroup& group_;
  std::size_t loop_index_;
  scenario::ThreadPoolGrowth growth_;  ///< under mutex_
  int wake_fd_ = -1;
  std::mutex mutex_;
  std::condition_variable work_cv_;
  std::deque<Item> queue_;
  std::vector<std::uint32_t> completed_;
  bool stopping_ = false;
  AbortHook wake_on_abort_;
};

class EventLoop {
 public:
  EventLoop(RunContext& ctx, GilSeat& seat, std::vector<TaskState>& tasks, OffloadPool& pool)
      : ctx_(ctx), seat_(seat), rec_(seat.recorder()), tasks_(tasks), pool_(pool) {}

  void run() {
    seat_.take(SpanState::Running);
    const Time created = ctx_.now();
    for (std::uint32_t i = 0; i < tasks_.size(); ++i) {  // create_task: call_soon each (A4)
      ready_.push_back(i);
      rec_.state(created, tasks_[i].lane, SpanState::Ready, tasks_[i].job->index);
    }
    std::size_t remaining = tasks_.size();
    while (remaining > 0) {
      // A3 (b): do not wait with callbacks ready; else until the next timer; else for the executor.
      Time timeout{-1};
      if (!ready_.empty()) {
        timeout = Time{0};
      } else if (!timers_.empty()) {
        timeout = max(Time{0}, timers_.top().when - ctx_.now());
      } else if (in_executor_ == 0) {
        if (!waiting_for_lock_.empty()) {
          throw std::runtime_error(fmt::format("{} task(s) wait for an asyncio.Lock that no task will release", waiting_for_lock_.size()));
        }
        throw std::logic_error("the event loop has nothing left to wait for");
      }
      // A3 (c): select() releases the GIL (G7), even with a zero timeout.
      seat_.drop(DropReason::Blocking, SpanState::Sleeping);
      ctx_.wait_readable(pool_.wake_fd(), timeout);
      seat_.take(SpanState::Running);
      const Time now = ctx_.now();
      for (std::uint32_t task : pool_.take_completed()) {
        --in_executor_;
        make_ready(task, now);
      }
      // A3 (d): due timers, earliest first.
      while (!timers_.empty() && timers_.top().when <= now) {
        make_ready(timers_.top().task, now);
        timers_.pop();
      }
      // A3 (e): exactly the callbacks queued now; new ones wait for the next iteration.
      for (std::size_t n = ready_.size(); n > 0; --n) {
        const std::uint32_t task = ready_.front();
        ready_.pop_front();
        if (step_task(task)) --remaining;
      }
    }
    pool_.stop();
    seat_.drop(DropReason::Exit);
  }

 private:
  struct Timer {
    Time when;
    std::uint64_t seq;
    std::uint32_t task;
    bool operator>(const Timer& o) const { return std::tie(when, seq) > std::tie(o.when, o.seq); }
  };

  RealShared& shared() {
    if (ctx_.shared() == nullptr) throw std::logic_error("a lock or counter step in a run without [locks] or [counters]");
    return *ctx_.shared();
  }

  /// The task on `lane`, handed an asyncio.Lock, goes to the back of the ready queue (L5).
  void wake_lock_waiter(trace::LaneId lane, Time now) {
    const auto it = std::find_if(waiting_for_lock_.begin(), waiting_for_lock_.end(),
                                 [&](std::uint32_t task) { return tasks_[task].lane == lane; });
    if (it == waiting_for_lock_.end()) throw std::logic_error("an asyncio.Lock handed to a task that was not waiting");
    const std::uint32_t task = *it;
    waiting_for_lock_.erase(it);
    make_ready(task, now);
  }

  void make_ready(std::uint32_t task, Time now) {
    ready_.push_back(task);
    const TaskState& t = tasks_[task];
    rec_.state(now, t.lane, SpanState::Ready, t.job->index);
  }

  /// Runs the task until it awaits (true when it finished). A1: nothing preempts it.
  bool step_task(std::uint32_t id) {
    TaskState& t = tasks_[id];
    const scenario::PlannedJob& job = *t.job;
    const trace::LaneId loop_lane = seat_.lane();
    if (!t.started) {
      t.started = true;
      rec_.job_start(ctx_.now(), t.lane, job.index);
    }
    while (t.next_step < job.steps.size()) {
      const auto i = static_cast<std::uint16_t>(t.next_step);
      const scenario::PlannedStep& step = job.steps[t.next_step];
      ++t.next_step;
      const Time now = ctx_.now();
      switch (step.kind) {
        case StepKind::Cpu:
          rec_.state(now, loop_lane, SpanState::Running, job.index, i);
          rec_.state(now, t.lane, SpanState::Running, job.index, i);
          run_python_work(ctx_, seat_, step.duration, job.index, i);
          break;
        case StepKind::Native:
          rec_.state(now, t.lane, SpanState::Native, job.index, i);
          seat_.drop(DropReason::Blocking, SpanState::Native, job.index, i);
          run_native_work(ctx_, step.duration);
          seat_.take(SpanState::Running, job.index, i);
          break;
        case StepKind::Block:
        case StepKind::Disk: {
          // A5: a blocking call inside a coroutine (a file read too) freezes the loop and every task.
          rec_.state(now, t.lane, SpanState::Stalled, job.index, i);
          const Time began = seat_.drop(DropReason::Blocking, SpanState::Stalled, job.index, i);
          ctx_.block_for(step.duration);
          const Time ended = seat_.take(SpanState::Running, job.index, i);
          rec_.mark(began, MarkKind::LoopStall, t.lane, job.index, (ended - began).ns());
          break;
        }
        case StepKind::Io:
        case StepKind::Sleep:
          timers_.push(Timer{now + step.duration, next_seq_++, id});
          rec_.state(now, t.lane, SpanState::Awaiting, job.index, i);
          rec_.state(now, loop_lane, SpanState::Running);
          return false;
        case StepKind::Acquire:
          // L5: `await lock.acquire()` on a held asyncio.Lock suspends the task; the loop
          // runs the others, and release() hands the lock over and readies the task.
          rec_.state(now, t.lane, SpanState::Running, job.index, i);
          run_python_work(ctx_, seat_, ctx_.settings().costs.lock_with, job.index, i);  // L7: `async with`
          if (!shared().acquire_as_task(rec_, t.lane, step.target)) {
            waiting_for_lock_.push_back(id);
            rec_.state(now, t.lane, SpanState::WaitingLock, job.index, i);
            rec_.state(now, loop_lane, SpanState::Running);
            return false;
          }
          break;
        case StepKind::Release:
          if (const auto next = shared().release_as_task(rec_, step.target)) wake_lock_waiter(*next, now);
          break;
        case StepKind::Increment:
          // Nothing else runs on the loop between the load and the store: no update is lost,
          // though a forced switch may still hand the GIL to an offload thread meanwhile.
          rec_.state(now, t.lane, SpanState::Running, job.index, i);
          shared().increment(seat_, step, job.index, i);
          break;
        case StepKind::Offload:
          rec_.state(now, t.lane, SpanState::Awaiting, job.index, i);
          // A new executor thread's start() waits for its bootstrap without the GIL (T1a).
          pool_.submit(seat_, id, job, i, scenario::PlannedStep{step.offload_work, step.offload_work, step.duration});
          ++in_executor_;
          rec_.state(ctx_.now(), loop_lane, SpanState::Running);
          return false;
      }
    }
    const Time now = ctx_.now();
    rec_.job_end(now, t.lane, job.index);
    rec_.clear(now, t.lane);
    rec_.state(now, loop_lane, SpanState::Running);
    ctx_.jobs_done().fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  RunContext& ctx_;
  GilSeat& seat_;
  Recorder& rec_;
  std::vector<TaskState>& tasks_;
  OffloadPool& pool_;
  std::deque<std::uint32_t> ready_;  ///< A2: FIFO
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  std::uint64_t next_seq_ = 0;
  int in_executor_ = 0;
  std::vector<std::uint32_t> waiting_for_lock_;  ///< tasks suspended on an asyncio.Lock
};

}  // namespace

ExecutorOutput run_asyncio(RunInputs& in) {
  const trace::ProcessId process = add_main_process(in);
  std::unique_ptr<RealGil> gil;
  if (in.builder.gil_lane(process) != trace::kNone) {
    gil = std::make_unique<RealGil>(in.ctx, in.builder.gil_lane(process));
  }
  ThreadGroup group(in, process, gil.get());
  const std::size_t loop_index = group.add_lane("event loop");
  std::vector<TaskState> tasks;
  for (std::size_t i = 0; i < in.jobs.size(); ++i) {
    const trace::LaneId lane = in.builder.add_lane(fmt::format("task {}", i + 1), trace::LaneKind::Task, process);
    tasks.push_back(TaskState{&in.jobs[i], lane, 0, false});
  }
  {
    OffloadPool pool(in.ctx, group, loop_index, in.ctx.settings().workers);
    group.run_here(loop_index, [&](GilSeat& seat) {
      try {
        EventLoop(in.ctx, seat, tasks, pool).run();
      } catch (const RunAborted&) {
        if (!in.ctx.stopped()) throw;  // a deadlock of tasks (L6) ends the run where it was found
      }
    });
  }
  return group.finish();
}

}  // namespace gilsim::real

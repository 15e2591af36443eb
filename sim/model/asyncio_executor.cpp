// asyncio: one event loop on the main thread (docs/model.md A1-A5, A7). A FIFO ready queue, a heap
// of timers, and _run_once: wait for the next timer unless something is ready, move what
// is due to the ready queue, then run exactly the callbacks that were ready (A3).
// Awaited I/O is a timer at its completion time; to_thread work goes to the default
// executor, a thread pool that competes with the loop for the GIL (A7).
#include <memory>
#include <queue>

#include "sim/model/executors.hpp"

namespace gilsim::model {

using scenario::StepKind;

namespace {

struct Timer {
  Time when;
  std::uint64_t seq = 0;
  std::uint32_t task = 0;
  bool is_io = false;
  bool operator>(const Timer& o) const { return when > o.when || (when == o.when && seq > o.seq); }
};

struct OffloadItem {
  std::uint32_t task = 0;
  StepKind work = StepKind::Cpu;
  Time duration;
  std::uint16_t step = 0;
};

struct TaskState {
  trace::LaneId lane = trace::kNone;
  std::size_t next_step = 0;
  bool started = false;
};

struct Loop {
  ThreadId thread = 0;
  std::deque<std::uint32_t> ready;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers;
  std::uint64_t timer_seq = 0;
  std::vector<TaskState> tasks;
  WorkQueue<OffloadItem> executor_queue;
  std::optional<scenario::ThreadPoolGrowth> executor;  ///< created on the first offload
  bool sleeping = false;
};

void make_ready(RunContext& ctx, Loop& loop, std::uint32_t task) {
  loop.ready.push_back(task);
  ctx.engine.trace().set_state(loop.tasks[task].lane, ctx.engine.now(), SpanState::Ready, ctx.jobs[task].index);
}

Program executor_worker(RunContext& ctx, Loop& loop, ThreadId self) {
  Engine& e = ctx.engine;
  co_await begin_thread(ctx, self, loop.thread);
  std::optional<OffloadItem> next;
  while (true) {
    if (!loop.executor_queue.try_get(next)) co_await loop.executor_queue.get(e, self, next, true);  // G8a
    if (!next) break;
    const OffloadItem item = *next;
    const std::uint32_t job = ctx.jobs[item.task].index;
    switch (item.work) {
      case StepKind::Native:
        co_await e.release_gil(self);
        co_await e.compute(self, item.duration, Work::native(job, item.step));
        co_await e.acquire_gil(self);
        break;
      case StepKind::Io:
      case StepKind::Disk:
      case StepKind::Block:
      case StepKind::Sleep:
        co_await e.release_gil(self);
        co_await e.wait(self, item.duration,
                        item.work == StepKind::Sleep ? SpanState::Sleeping : SpanState::BlockedIo, job, item.step);
        co_await e.acquire_gil(self);
        break;
      default:
        co_await e.compute(self, scenario::python_cost(ctx.settings, item.duration),
                           Work::python(job, item.step));
        break;
    }
    loop.executor->worker_idle();
    // call_soon_threadsafe: the result goes to the ready queue and the self-pipe wakes the loop.
    make_ready(ctx, loop, item.task);
    e.notify(loop.thread);
  }
  e.exit(self);
}

/// run_in_executor(None, ...): the default executor is a concurrent.futures
/// ThreadPoolExecutor, whose submit() queues the item and then, with no idle worker, starts
/// one from the loop thread (T3) with Thread.start(), which waits for its bootstrap (T1a).
Program submit_to_executor(RunContext& ctx, Loop& loop, OffloadItem item) {
  Engine& e = ctx.engine;
  if (!loop.executor) loop.executor.emplace(ctx.settings.workers);
  loop.executor_queue.push(e, item);
  if (loop.executor->submit()) {
    const Time start_cost = ctx.settings.costs.thread_start;
    co_await e.compute(loop.thread, start_cost, Work::starting(ctx.jobs[item.task].index));
    const ThreadId w = e.add_thread(fmt::format("asyncio_{}", loop.executor->threads() - 1), 0);
    e.trace().mark(e.now(), trace::MarkKind::Spawn, e.lane(loop.thread), e.lane(w), start_cost.ns());
    e.start(w, executor_worker(ctx, loop, w));
    co_await wait_until_started(ctx, loop.thread);
  }
}

/// One callback: the task runs until it awaits something unfinished, or ends (A1).
Program run_task(RunContext& ctx, Loop& loop, std::uint32_t task_index) {
  Engine& e = ctx.engine;
  auto& trace = e.trace();
  const ThreadId t = loop.thread;
  TaskState& task = loop.tasks[task_index];
  const PlannedJob& job = ctx.jobs[task_index];
  if (!task.started) {
    task.started = true;
    trace.job_started(job.index, task.lane, e.now());
  }
  trace.set_state(task.lane, e.now(), SpanState::Running, job.index);
  co_await e.compute(t, ctx.settings.costs.loop_callback, Work::python(job.index));
  const auto& steps = job.steps;
  while (task.next_step < steps.size()) {
    const std::size_t i = task.next_step++;
    const auto label = static_cast<std::uint16_t>(std::min<std::size_t>(i, trace::kNoStep));
    const Time d = steps[i].duration;
    switch (steps[i].kind) {
      case StepKind::Cpu:
        trace.set_state(task.lane, e.now(), SpanState::Running, job.index, label);
        co_await e.compute(t, scenario::python_cost(ctx.settings, d), Work::python(job.index, label));
        break;
      case StepKind::Native:
        trace.set_state(task.lane, e.now(), SpanState::Native, job.index, label);
        co_await e.release_gil(t);
        co_await e.compute(t, d, Work::native(job.index, label));
        co_await e.acquire_gil(t);
        break;
      case StepKind::Io:
      case StepKind::Sleep:
        if (d == Time::zero() && steps[i].kind == StepKind::Sleep) {
          make_ready(ctx, loop, task_index);  // sleep(0) is a bare yield: back of the queue (A4)
        } else {
          loop.timers.push(Timer{e.now() + d, loop.timer_seq++, task_index, steps[i].kind == StepKind::Io});
          trace.set_state(task.lane, e.now(), SpanState::Awaiting, job.index, label);
        }
        co_return;
      case StepKind::Block:
      case StepKind::Disk:
        // A blocking call inside a coroutine, or a file read asyncio cannot await: the
        // loop thread itself blocks (A5).
        trace.set_state(task.lane, e.now(), SpanState::Stalled, job.index, label);
        trace.mark(e.now(), trace::MarkKind::LoopStall, task.lane, e.lane(t), d.ns());
        co_await e.release_gil(t);
        co_await e.wait(t, d, SpanState::Stalled, job.index, label);
        co_await e.acquire_gil(t);
        break;
      case StepKind::Offload:
        trace.set_state(task.lane, e.now(), SpanState::Awaiting, job.index, label);
        co_await submit_to_executor(ctx, loop, OffloadItem{task_index, steps[i].offload_work, d, label});
        co_return;
      case StepKind::Acquire: {
        if (const std::size_t next = ctx.shared.steps_at_once(t, job, i, ctx.settings, task.lane); next > i) {
          task.next_step = next;  // U4: `async with lock: counter += f()` with nothing in between
          break;
        }
        trace.set_state(task.lane, e.now(), SpanState::Running, job.index, label);
        co_await ctx.shared.with_statement(t, job.index, label);  // L7: `async with`
        // L5: `await lock.acquire()` on a held lock suspends the task; the loop runs others.
        if (!ctx.shared.acquire_as_task(task.lane, task_index, steps[i].target)) {
          trace.set_state(task.lane, e.now(), SpanState::WaitingLock, job.index, label);
          co_return;
        }
        break;
      }
      case StepKind::Release:
        ctx.shared.release(task.lane, steps[i].target);
        break;
      case StepKind::Increment: {
        const std::size_t run = SharedState::increments_in_a_row(job, i);  // in one frame
        task.next_step = i + run;
        // Those that run at once (U4) need no frame; the rest go the long way.
        const std::size_t from = ctx.shared.increments_at_once(t, job, i, i + run, ctx.settings, task.lane);
        if (from < i + run) co_await ctx.shared.increment(t, job, from, i + run - from, ctx.settings, task.lane);
        break;
      }
    }
  }
  trace.job_finished(job.index, e.now());
  trace.clear_state(task.lane, e.now());
  --ctx.jobs_left;
}

Program loop_main(RunContext& ctx, std::shared_ptr<Loop> loop) {
  Engine& e = ctx.engine;
  const ThreadId t = loop->thread;
  co_await e.acquire_gil(t);
  // asyncio.gather(*coros): every task is created with call_soon, in order (A4).
  for (std::uint32_t i = 0; i < ctx.jobs.size(); ++i) make_ready(ctx, *loop, i);
  while (ctx.jobs_left > 0) {
    if (loop->ready.empty()) {
      const bool has_timer = !loop->timers.empty();
      const Time deadline = has_timer ? loop->timers.top().when : Time::max();
      const auto state = has_timer && !loop->timers.top().is_io ? SpanState::Sleeping : SpanState::BlockedIo;
      co_await e.release_gil(t);  // select() drops the GIL
      co_await e.wait_for_notify(t, state, deadline);
      co_await e.acquire_gil(t);
    }
    while (!loop->timers.empty() && loop->timers.top().when <= e.now()) {
      const std::uint32_t task = loop->timers.top().task;
      loop->timers.pop();
      make_ready(ctx, *loop, task);
    }
    const std::size_t n = loop->ready.size();  // only what is ready now; new ones wait (A3e)
    for (std::size_t k = 0; k < n; ++k) {
      const std::uint32_t task = loop->ready.front();
      loop->ready.pop_front();
      co_await run_task(ctx, *loop, task);
    }
  }
  loop->executor_queue.close(e);
  e.exit(t);
}

}  // namespace

void start_asyncio(RunContext& ctx) {
  Engine& e = ctx.engine;
  const auto process = e.add_process("main");
  auto loop = std::make_shared<Loop>();
  loop->thread = e.add_thread("event loop", process);
  loop->tasks.resize(ctx.jobs.size());
  for (std::size_t i = 0; i < ctx.jobs.size(); ++i) {
    loop->tasks[i].lane = e.trace().add_lane(fmt::format("task {}", i + 1), trace::LaneKind::Task, process);
  }
  // The woken waiter's future is done: its task goes to the back of the ready queue (L5).
  ctx.shared.on_task_woken = [&ctx, loop = loop.get()](std::uint32_t task) { make_ready(ctx, *loop, task); };
  e.start(loop->thread, loop_main(ctx, loop));
}

}  // namespace gilsim::model

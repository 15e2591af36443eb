// Sequential code, one threading.Thread per job, and a ThreadPoolExecutor (docs/model.md T1-T3,
// T1a: start() waits for the new thread).
#include <memory>

#include "sim/model/executors.hpp"

namespace gilsim::model {

namespace {

Program sequential_main(RunContext& ctx, ThreadId main) {
  Engine& e = ctx.engine;
  co_await e.acquire_gil(main);
  for (const auto& job : ctx.jobs) co_await run_job(e, main, job, ctx.settings, ctx.shared);
  e.exit(main);
}

}  // namespace

Operation wake_from_block(Engine& e, ThreadId self) {
  const Time wake = e.wake_latency(self);
  if (wake > Time::zero()) return e.wait(self, wake, SpanState::Runnable);
  return Operation{&e, self, true};
}

/// A new thread's `_bootstrap_inner` up to `_started.set()` (T1a): Python under the GIL, on
/// a core of its own; then the thread that called start() may return from it.
/// A zero `thread_bootstrap` turns the rule off: the starter went on at once.
Program bootstrap(RunContext& ctx, ThreadId self, ThreadId starter) {
  const Time cost = ctx.settings.costs.thread_bootstrap;
  if (cost == Time::zero()) co_return;
  Engine& e = ctx.engine;
  co_await e.compute(self, cost, Work::starting());
  e.notify(starter);
}

/// T1a: clone() only makes the new thread runnable, on the core Linux's wake_up_new_task
/// gives it, which may idle: it first runs after G8's wake-up, as a thread woken from a
/// futex does (the law P4b's handler threads and every blocked thread's wake-up use), then
/// takes the GIL before its first bytecode (t_bootstrap's PyEval_AcquireThread).
Program begin_thread(RunContext& ctx, ThreadId self, ThreadId starter) {
  Engine& e = ctx.engine;
  if (ctx.settings.costs.thread_bootstrap > Time::zero()) {
    e.enqueue_new_thread(self);
    co_await wake_from_block(e, self);
  }
  co_await e.acquire_gil(self);
  co_await bootstrap(ctx, self, starter);
}

Program job_thread(RunContext& ctx, ThreadId self, ThreadId main, const PlannedJob& job, ThreadId peer) {
  Engine& e = ctx.engine;
  co_await begin_thread(ctx, self, main);
  co_await run_job(e, self, job, ctx.settings, ctx.shared, peer);
  if (--ctx.jobs_left == 0) e.notify(main);
  e.exit(self);
}

/// The end of threading.Thread.start() (T1a): `_started.wait()`, a lock wait without the
/// GIL until the new thread has taken the GIL and run its bootstrap (it notifies
/// `starter`); the lock's futex signalled, the starter runs after G8's wake-up (acquire_timed's
/// blocking acquire returns), then takes the GIL back before its next bytecode
/// (Py_END_ALLOW_THREADS).
Program wait_until_started(RunContext& ctx, ThreadId starter) {
  if (ctx.settings.costs.thread_bootstrap == Time::zero()) co_return;
  Engine& e = ctx.engine;
  co_await e.compute(starter, ctx.settings.costs.thread_start_tail, Work::starting());
  co_await e.release_gil(starter);
  co_await e.wait_for_notify(starter, std::nullopt);
  co_await wake_from_block(e, starter);
  co_await e.acquire_gil(starter);
}

namespace {

Program threads_main(RunContext& ctx, ThreadId main) {
  Engine& e = ctx.engine;
  co_await e.acquire_gil(main);
  const Time start_cost = ctx.settings.costs.thread_start;
  int n = 0;
  for (const auto& job : ctx.jobs) {
    co_await e.compute(main, start_cost, Work::starting());
    const ThreadId t = e.add_thread(fmt::format("T{}", ++n), 0);
    e.trace().mark(e.now(), trace::MarkKind::Spawn, e.lane(main), e.lane(t), start_cost.ns());
    e.pin(t, job.cpus);  // S9: sched_setaffinity, its first statement in the program
    e.start(t, job_thread(ctx, t, main, job, start_peer(e, t, job)));
    co_await wait_until_started(ctx, main);
  }
  co_await e.release_gil(main);  // join() waits on a lock without the GIL
  if (ctx.jobs_left > 0) co_await e.wait_for_notify(main, std::nullopt);
  e.exit(main);
}

struct ThreadPool {
  explicit ThreadPool(int max_workers) : growth(max_workers) {}
  WorkQueue<const PlannedJob*> queue;
  scenario::ThreadPoolGrowth growth;
};

Program pool_worker(RunContext& ctx, ThreadPool& pool, ThreadId self, ThreadId main) {
  Engine& e = ctx.engine;
  co_await begin_thread(ctx, self, main);
  std::optional<const PlannedJob*> next;
  while (true) {
    if (!pool.queue.try_get(next)) co_await pool.queue.get(e, self, next, true);  // G8a: woken from the queue's lock
    if (!next) break;
    const PlannedJob* job = *next;
    co_await run_job(e, self, *job, ctx.settings, ctx.shared);
    pool.growth.worker_idle();
    if (--ctx.jobs_left == 0) e.notify(main);
  }
  e.exit(self);
}

Program thread_pool_main(RunContext& ctx, ThreadId main, std::shared_ptr<ThreadPool> pool) {
  Engine& e = ctx.engine;
  co_await e.acquire_gil(main);
  const Time start_cost = ctx.settings.costs.thread_start;
  for (const auto& job : ctx.jobs) {
    // submit() queues the work item, then _adjust_thread_count() may start a worker.
    pool->queue.push(e, &job);
    if (pool->growth.submit()) {
      co_await e.compute(main, start_cost, Work::starting());
      const ThreadId w = e.add_thread(fmt::format("worker {}", pool->growth.threads()), 0);
      e.trace().mark(e.now(), trace::MarkKind::Spawn, e.lane(main), e.lane(w), start_cost.ns());
      e.start(w, pool_worker(ctx, *pool, w, main));
      co_await wait_until_started(ctx, main);
    }
  }
  co_await e.release_gil(main);
  if (ctx.jobs_left > 0) co_await e.wait_for_notify(main, std::nullopt);
  pool->queue.close(e);  // shutdown(wait=True) as the with-block ends
  e.exit(main);
}

}  // namespace

void start_sequential(RunContext& ctx) {
  Engine& e = ctx.engine;
  e.add_process("main");
  const ThreadId main = e.add_thread("main", 0);
  e.start(main, sequential_main(ctx, main));
}

void start_threads(RunContext& ctx) {
  Engine& e = ctx.engine;
  e.add_process("main");
  const ThreadId main = e.add_thread("main", 0);
  e.start(main, threads_main(ctx, main));
}

void start_thread_pool(RunContext& ctx) {
  Engine& e = ctx.engine;
  e.add_process("main");
  const ThreadId main = e.add_thread("main", 0);
  // The pool lives as long as the programs that share it; the main program owns it.
  e.start(main, thread_pool_main(ctx, main, std::make_shared<ThreadPool>(ctx.settings.workers)));
}

}  // namespace gilsim::model

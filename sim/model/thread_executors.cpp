// Sequential code, one threading.Thread per job, and a ThreadPoolExecutor (docs/model.md T1-T3).
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

Program job_thread(RunContext& ctx, ThreadId self, ThreadId main, const PlannedJob& job) {
  Engine& e = ctx.engine;
  co_await e.acquire_gil(self);  // a new thread needs the GIL before its first bytecode
  co_await run_job(e, self, job, ctx.settings, ctx.shared);
  if (--ctx.jobs_left == 0) e.notify(main);
  e.exit(self);
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
    e.start(t, job_thread(ctx, t, main, job));
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
  co_await e.acquire_gil(self);
  std::optional<const PlannedJob*> next;
  while (true) {
    co_await pool.queue.get(e, self, next);
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
    if (pool->growth.submit()) {
      co_await e.compute(main, start_cost, Work::starting());
      const ThreadId w = e.add_thread(fmt::format("worker {}", pool->growth.threads()), 0);
      e.trace().mark(e.now(), trace::MarkKind::Spawn, e.lane(main), e.lane(w), start_cost.ns());
      e.start(w, pool_worker(ctx, *pool, w, main));
    }
    pool->queue.push(e, &job);
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

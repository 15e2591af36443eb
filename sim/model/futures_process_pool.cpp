// concurrent.futures.ProcessPoolExecutor.map (docs/model.md P9): map() submits one call per
// chunk (chunksize 1 by default); the executor manager thread keeps the call queue at
// max_workers + 1 calls, topping it up when a result or a submit wakes it, and unpickles
// the results, which the main thread takes in order (P4a); workers start on demand (all at the first submit with fork); leaving the
// with-block is shutdown(wait=True): a None per worker, each worker ends, all are joined.
#include <deque>
#include <memory>
#include <optional>

#include "sim/model/worker_processes.hpp"

namespace gilsim::model {

namespace {

struct FuturesPool {
  ThreadId main = 0;
  ThreadId manager = 0;
  bool manager_started = false;
  std::deque<Chunk> pending;  ///< submitted, not yet in the call queue (_work_ids)
  WorkQueue<Chunk> calls;     ///< the call queue (a multiprocessing.Queue of max_workers + 1)
  int in_call_queue = 0;
  std::deque<Chunk> results;  ///< the result queue (a SimpleQueue)
  Pipe result_pipe{0};        ///< its room (P7b); the call queue's writer is its feeder thread
  int processes = 0;
  int idle = 0;               ///< _idle_worker_semaphore
  int alive = 0;              ///< worker processes not yet ended (P8)
  bool shutting_down = false;
  bool manager_done = false;
  std::optional<ResultHandOver> hand_over;  ///< the futures list() waits for, in order (P4a)
};

Program executor_worker(RunContext& ctx, FuturesPool& pool, ThreadId self, Time ready_at, Time start_cost) {
  Engine& e = ctx.engine;
  co_await process_startup(e, self, ready_at, start_cost);
  co_await e.acquire_gil(self);
  std::optional<Chunk> next;
  while (true) {
    if (!pool.calls.try_get(next)) co_await pool.calls.get(e, self, next, true);  // call_queue.get(): a None ends the worker; G8a
    if (!next) break;
    --pool.in_call_queue;
    const Chunk chunk = *next;
    co_await work_on_chunk(ctx, self, chunk, {nullptr, &pool.result_pipe});
    pool.results.push_back(chunk);
    e.notify(pool.manager);
  }
  co_await process_teardown(ctx, self);
  --pool.alive;
  e.notify(pool.manager);  // its sentinel wakes the manager, which joins it
  e.exit(self);
}

Program manager_main(RunContext& ctx, FuturesPool& pool, ThreadId self) {
  Engine& e = ctx.engine;
  co_await e.acquire_gil(self);
  const int capacity = ctx.settings.workers + 1;  // EXTRA_QUEUED_CALLS
  while (true) {
    // add_call_item_to_queue(): never more than max_workers + 1 calls in the queue.
    while (pool.in_call_queue < capacity && !pool.pending.empty()) {
      const Chunk chunk = pool.pending.front();
      pool.pending.pop_front();
      co_await send_chunk(ctx, self, chunk, false);
      e.trace().mark(e.now(), trace::MarkKind::Dispatch, e.lane(self), trace::kNone,
                     static_cast<std::int64_t>(chunk.count));
      ++pool.in_call_queue;
      pool.calls.push(e, chunk);
    }
    if (!pool.results.empty()) {
      const Chunk chunk = pool.results.front();
      pool.results.pop_front();
      co_await receive_chunk(ctx, self, chunk, true, nullptr, &pool.result_pipe);
      ctx.jobs_left -= static_cast<int>(chunk.count);
      ++pool.idle;  // _idle_worker_semaphore.release()
      pool.hand_over->set(e, chunk);  // the future's set_result() notifies its condition
      continue;
    }
    if (pool.shutting_down && pool.pending.empty() && ctx.jobs_left == 0) break;
    co_await e.release_gil(self);  // wait() on the result pipe and the wake-up pipe
    co_await e.wait_for_notify(self, std::nullopt);
    co_await e.acquire_gil(self);
  }
  // join_executor_internals(): a None per worker through the call queue, then join them.
  for (int i = 0; i < pool.processes; ++i) co_await send_signal(ctx, self);
  pool.calls.close(e);
  co_await e.release_gil(self);
  while (pool.alive > 0) co_await e.wait_for_notify(self, std::nullopt);
  pool.manager_done = true;
  e.notify(pool.main);
  e.exit(self);
}

Program executor_main(RunContext& ctx, std::shared_ptr<FuturesPool> pool) {
  Engine& e = ctx.engine;
  const ThreadId main = pool->main;
  co_await e.acquire_gil(main);
  const bool fork = ctx.settings.start_method == scenario::StartMethod::Fork;
  ProcessStarter starter(ctx);
  const auto start_worker = [&]() -> Program {
    const auto name = fmt::format("worker {}", starter.started() + 1);
    const ThreadId w = e.add_thread(name, e.add_process(name));
    ++pool->processes;
    ++pool->alive;
    FuturesPool* p = pool.get();  // trivially destructible (see process_pool_executor.cpp)
    co_await starter.start(main, w, [&ctx, p](ThreadId child, Time ready_at, Time cost) {
      return executor_worker(ctx, *p, child, ready_at, cost);
    });
  };
  // map(): one submit() per chunk, one after another.
  for (const Chunk& chunk : cut_in_chunks(ctx)) {
    pool->pending.push_back(chunk);
    co_await send_signal(ctx, main);  // _executor_manager_thread_wakeup.wakeup()
    e.notify(pool->manager);
    if (!fork) {
      // _adjust_process_count(): an idle worker takes it, or one more process starts.
      if (pool->idle > 0) {
        --pool->idle;
      } else if (pool->processes < ctx.settings.workers) {
        co_await start_worker();
      }
    }
    if (!pool->manager_started) {
      // _start_executor_manager_thread(): with fork, every worker first (gh-90622).
      while (fork && pool->processes < ctx.settings.workers) co_await start_worker();
      // Its pipes and locks, the manager thread and the call queue's feeder (pool_setup, P4).
      co_await e.compute(main, ctx.settings.costs.pool_setup, Work::starting());
      pool->manager_started = true;
      e.start(pool->manager, manager_main(ctx, *pool, pool->manager));
    }
  }
  // list(): each future's result() in turn, blocked on its condition until it is set (P4a).
  if (pool->manager_started) co_await pool->hand_over->take_all(e);

  // shutdown(wait=True) at the end of the with-block: wake the manager, join it (P8).
  pool->shutting_down = true;
  if (pool->manager_started) {
    co_await send_signal(ctx, main);
    e.notify(pool->manager);
    co_await e.release_gil(main);
    while (!pool->manager_done) co_await e.wait_for_notify(main, std::nullopt);
  }
  e.exit(main);
}

}  // namespace

void start_process_pool_executor(RunContext& ctx) {
  Engine& e = ctx.engine;
  const auto parent = e.add_process("main");
  auto pool = std::make_shared<FuturesPool>();
  pool->result_pipe = Pipe(ctx.settings.costs.pipe_capacity);
  pool->main = e.add_thread("main", parent);
  pool->manager = e.add_thread("executor manager", parent);
  pool->hand_over.emplace(pool->main, scenario::PoolMethod::Imap, ctx.jobs.size());
  e.start(pool->main, executor_main(ctx, pool));
}

}  // namespace gilsim::model

// multiprocessing.Pool.map (docs/model.md P1-P7): every worker is a process with its own GIL;
// workers start up front by fork, spawn or forkserver (P3, P4); the parent's task handler
// pickles chunks of Pool.map's chunksize into a shared queue that idle workers pull from
// (P5, P6); results come back pickled and are unpickled by the parent's result handler,
// under the parent's GIL (P7).
#include <memory>

#include "sim/model/executors.hpp"

namespace gilsim::model {

using scenario::StartMethod;

namespace {

struct Chunk {
  std::size_t first = 0;
  std::size_t count = 0;
};

struct Pool {
  ThreadId main = 0;
  ThreadId task_handler = 0;
  ThreadId result_handler = 0;
  WorkQueue<Chunk> tasks;    ///< the shared pipe of pickled chunks
  WorkQueue<Chunk> results;  ///< the result pipe
};

std::int64_t chunk_bytes(const RunContext& ctx, const Chunk& c, bool results) {
  std::int64_t bytes = 0;
  for (std::size_t i = c.first; i < c.first + c.count; ++i) {
    bytes += results ? ctx.jobs[i].result_bytes : ctx.jobs[i].arg_bytes;
  }
  return bytes;
}

/// A message costs ipc_message + bytes / ipc_bandwidth (P7): half of the fixed cost is the
/// pipe's system call, made without the GIL (G7); the rest is pickling, under the GIL.
Time pickle_cost(const scenario::Costs& costs, std::int64_t bytes) {
  return costs.ipc_message / 2 + Time::from_seconds(static_cast<double>(bytes) / costs.ipc_bandwidth);
}

Program pipe_call(Engine& e, ThreadId self, const scenario::Costs& costs, std::uint32_t job) {
  co_await e.release_gil(self);
  co_await e.wait(self, costs.ipc_message - costs.ipc_message / 2, SpanState::BlockedIo, job);
  co_await e.acquire_gil(self);
}

/// Pickles a chunk's arguments or results and writes them to a pipe.
Program send_chunk(RunContext& ctx, ThreadId self, const Chunk& chunk, bool results) {
  const auto& costs = ctx.settings.costs;
  const std::uint32_t job = ctx.jobs[chunk.first].index;
  co_await ctx.engine.compute(self, pickle_cost(costs, chunk_bytes(ctx, chunk, results)),
                              Work::pickling(job));
  co_await pipe_call(ctx.engine, self, costs, job);
}

/// Reads a chunk's arguments or results from a pipe and unpickles them.
Program receive_chunk(RunContext& ctx, ThreadId self, const Chunk& chunk, bool results) {
  const auto& costs = ctx.settings.costs;
  const std::uint32_t job = ctx.jobs[chunk.first].index;
  co_await pipe_call(ctx.engine, self, costs, job);
  co_await ctx.engine.compute(self, pickle_cost(costs, chunk_bytes(ctx, chunk, results)),
                              Work::pickling(job));
}

Program worker_main(RunContext& ctx, Pool& pool, ThreadId self, Time ready_to_fork, Time start_cost) {
  Engine& e = ctx.engine;
  // Forkserver children wait for the server; a spawned child builds a fresh interpreter.
  if (ready_to_fork > e.now()) co_await e.wait(self, ready_to_fork - e.now(), SpanState::Starting);
  co_await e.compute(self, start_cost, Work::starting_interpreter());
  co_await e.acquire_gil(self);
  std::optional<Chunk> next;
  while (true) {
    co_await pool.tasks.get(e, self, next);
    if (!next) break;
    const Chunk chunk = *next;
    co_await receive_chunk(ctx, self, chunk, false);
    for (std::size_t i = chunk.first; i < chunk.first + chunk.count; ++i) {
      co_await run_job(e, self, ctx.jobs[i], ctx.settings, ctx.shared);
    }
    co_await send_chunk(ctx, self, chunk, true);
    pool.results.push(e, chunk);
  }
  e.exit(self);
}

Program task_handler_main(RunContext& ctx, Pool& pool, ThreadId self, std::vector<Chunk> chunks) {
  Engine& e = ctx.engine;
  co_await e.acquire_gil(self);
  for (const Chunk& chunk : chunks) {
    co_await send_chunk(ctx, self, chunk, false);
    e.trace().mark(e.now(), trace::MarkKind::Dispatch, e.lane(self), trace::kNone,
                   static_cast<std::int64_t>(chunk.count));
    pool.tasks.push(e, chunk);
  }
  e.exit(self);
}

Program result_handler_main(RunContext& ctx, Pool& pool, ThreadId self) {
  Engine& e = ctx.engine;
  co_await e.acquire_gil(self);
  std::optional<Chunk> next;
  while (ctx.jobs_left > 0) {
    co_await pool.results.get(e, self, next);
    const Chunk chunk = *next;  // results never close: one comes for every chunk sent
    co_await receive_chunk(ctx, self, chunk, true);
    ctx.jobs_left -= static_cast<int>(chunk.count);
  }
  e.notify(pool.main);
  e.exit(self);
}

/// What starting worker `k` (from 1) costs the parent and the child; forkserver moves
/// `next_fork` to when its server is up (P3, P4).
struct ProcessStart {
  Time parent_cost;
  Time child_cost;
};

ProcessStart process_start(const scenario::Costs& costs, StartMethod method, int k, Time now, Time& next_fork) {
  // os.fork() copies the parent's page tables and returns; the child readies itself while
  // the parent forks on.
  ProcessStart start{costs.fork_start, costs.fork_child_start};
  if (method == StartMethod::Spawn) {
    start.parent_cost = costs.thread_start;  // posix_spawn is cheap; the child builds a fresh interpreter
    start.child_cost = costs.spawn_start;
  } else if (method == StartMethod::Forkserver) {
    start.parent_cost = costs.thread_start;
    if (k == 1) next_fork = now + costs.spawn_start;  // the server starts like a spawn
    start.child_cost = costs.forkserver_start;
  }
  return start;
}

Program pool_main(RunContext& ctx, std::shared_ptr<Pool> pool) {
  Engine& e = ctx.engine;
  const auto& costs = ctx.settings.costs;
  const ThreadId main = pool->main;
  co_await e.acquire_gil(main);
  const int workers = ctx.settings.workers;
  const StartMethod method = ctx.settings.start_method;

  // Pool() starts every worker before map() sends anything (P4).
  Time next_fork = Time::zero();  // forkserver: when the server can fork the next child
  for (int k = 1; k <= workers; ++k) {
    const auto process = e.add_process(fmt::format("worker {}", k));
    const ThreadId w = e.add_thread(fmt::format("worker {}", k), process);
    const ProcessStart start = process_start(costs, method, k, e.now(), next_fork);
    const Time parent_cost = start.parent_cost;
    const Time child_cost = start.child_cost;
    co_await e.compute(main, parent_cost, Work::starting());
    const Time ready_to_fork = method == StartMethod::Forkserver ? max(next_fork, e.now()) : e.now();
    next_fork = ready_to_fork + child_cost;
    e.trace().mark(e.now(), trace::MarkKind::Spawn, e.lane(main), e.lane(w),
                   (next_fork - e.now() + parent_cost).ns());
    e.start(w, worker_main(ctx, *pool, w, ready_to_fork, child_cost));
  }

  // map(): chunks of Pool.map's chunksize (P5), pickled by the task handler thread.
  const int chunksize = std::max(1, ctx.settings.chunksize);
  std::vector<Chunk> chunks;
  for (std::size_t i = 0; i < ctx.jobs.size(); i += static_cast<std::size_t>(chunksize)) {
    chunks.push_back(Chunk{i, std::min<std::size_t>(static_cast<std::size_t>(chunksize), ctx.jobs.size() - i)});
  }
  e.start(pool->task_handler, task_handler_main(ctx, *pool, pool->task_handler, std::move(chunks)));
  e.start(pool->result_handler, result_handler_main(ctx, *pool, pool->result_handler));
  co_await e.release_gil(main);
  if (ctx.jobs_left > 0) co_await e.wait_for_notify(main, std::nullopt);
  pool->tasks.close(e);  // leaving the with-block terminates the workers
  e.exit(main);
}

/// One multiprocessing.Process per job: the child starts, runs its job with its own GIL
/// (P1) and ends; a Process hands back no result (that needs a Queue).
Program process_main(RunContext& ctx, ThreadId self, ThreadId parent, const PlannedJob& job, Time ready_at,
                     Time start_cost) {
  Engine& e = ctx.engine;
  if (ready_at > e.now()) co_await e.wait(self, ready_at - e.now(), SpanState::Starting);
  co_await e.compute(self, start_cost, Work::starting_interpreter());
  co_await job_thread(ctx, self, parent, job);
}

Program processes_main(RunContext& ctx, ThreadId main) {
  Engine& e = ctx.engine;
  co_await e.acquire_gil(main);
  const StartMethod method = ctx.settings.start_method;
  Time next_fork = Time::zero();
  int k = 0;
  // for p in processes: p.start() -- each start paid by the parent, one after another (P4).
  for (const auto& job : ctx.jobs) {
    ++k;
    const auto process = e.add_process(fmt::format("process {}", k));
    const ThreadId child = e.add_thread(fmt::format("process {}", k), process);
    const ProcessStart start = process_start(ctx.settings.costs, method, k, e.now(), next_fork);
    co_await e.compute(main, start.parent_cost, Work::starting());
    const Time ready_at = method == StartMethod::Forkserver ? max(next_fork, e.now()) : e.now();
    next_fork = ready_at + start.child_cost;
    e.trace().mark(e.now(), trace::MarkKind::Spawn, e.lane(main), e.lane(child),
                   (next_fork - e.now() + start.parent_cost).ns());
    e.start(child, process_main(ctx, child, main, job, ready_at, start.child_cost));
  }
  co_await e.release_gil(main);  // for p in processes: p.join()
  if (ctx.jobs_left > 0) co_await e.wait_for_notify(main, std::nullopt);
  e.exit(main);
}

}  // namespace

void start_processes(RunContext& ctx) {
  Engine& e = ctx.engine;
  const auto parent = e.add_process("main");
  const ThreadId main = e.add_thread("main", parent);
  e.start(main, processes_main(ctx, main));
}

void start_process_pool(RunContext& ctx) {
  Engine& e = ctx.engine;
  const auto parent = e.add_process("main");
  auto pool = std::make_shared<Pool>();
  pool->main = e.add_thread("main", parent);
  pool->task_handler = e.add_thread("task handler", parent);
  pool->result_handler = e.add_thread("result handler", parent);
  e.start(pool->main, pool_main(ctx, pool));
}

}  // namespace gilsim::model

// multiprocessing.Pool.map and one multiprocessing.Process per job (docs/model.md P1-P8):
// every worker is a process with its own GIL; Pool() starts every worker, then its three
// handler threads, before map() sends anything (P4); the parent's task handler pickles
// chunks of Pool.map's chunksize into a shared queue that idle workers pull from (P5, P6);
// results come back pickled and are unpickled by the parent's result handler, under the
// parent's GIL (P7) and handed to the main thread, woken from its wait for them (P4a);
// leaving the with-block terminates and joins the workers (P8). Pool()'s handler threads
// start one after another, each start waiting for the new thread's bootstrap, and block
// until there is work; each wake-up on the first task's way is a blocked thread's (P4b).
#include <memory>
#include <optional>
#include <utility>

#include "sim/model/worker_processes.hpp"

namespace gilsim::model {

namespace {

struct Pool {
  ThreadId main = 0;
  ThreadId worker_handler = 0;
  ThreadId task_handler = 0;
  ThreadId result_handler = 0;
  bool terminating = false;  ///< the worker handler's wake-up to end
  WorkQueue<Chunk> tasks;    ///< the shared pipe of pickled chunks
  WorkQueue<Chunk> results;  ///< the result pipe
  Pipe task_pipe{0};         ///< their room (P7b)
  Pipe result_pipe{0};
  int unread = 0;            ///< results in the result pipe that the result handler has not read yet
  bool polling = false;      ///< the worker handler is blocked in its poll
  int alive = 0;             ///< worker processes not yet ended (P8)
  std::optional<ResultHandOver> hand_over;  ///< what the main thread's map() or next() waits for (P4a)
  // P4b (on with T1a, thread_bootstrap > 0): the handler threads block until there is work.
  bool handlers_wait = false;
  int started = 0;              ///< handler threads past their bootstrap (T1a)
  bool submitted = false;       ///< map() has put its tasks on the task queue
  bool task_waiting = false;    ///< the task handler is blocked in taskqueue.get()
  bool result_waiting = false;  ///< the result handler is blocked in its read of the result pipe
};

/// A thread blocked in the kernel without the GIL (a lock's futex, a pipe's read) until
/// `ready()`, set by another thread that notifies it when `waiting`: then G8's wake-up, then
/// its GIL back (P4b). Returns at once, keeping the GIL, when `ready()` already holds.
template <typename Ready>
Program block_until(Engine& e, ThreadId self, bool& waiting, Ready ready) {
  if (ready()) co_return;
  co_await e.release_gil(self);
  waiting = true;
  while (!ready()) co_await e.wait_for_notify(self, std::nullopt);
  waiting = false;
  co_await wake_from_block(e, self);
  co_await e.acquire_gil(self);
}

/// A handler thread's first moments (P4b): a new thread's (T1a), made runnable by clone() on
/// a core that may idle, it runs after G8's wake-up, as a woken thread does; takes the GIL,
/// runs its bootstrap, which lets Pool()'s Thread.start() return.
Program handler_begins(RunContext& ctx, Pool& pool, ThreadId self) {
  co_await begin_thread(ctx, self, pool.main);
  ++pool.started;
}

Program worker_main(RunContext& ctx, Pool& pool, ThreadId self, Time ready_at, Time start_cost) {
  Engine& e = ctx.engine;
  co_await process_startup(e, self, ready_at, start_cost);
  co_await e.acquire_gil(self);
  std::optional<Chunk> next;
  while (true) {
    if (!pool.tasks.try_get(next)) {
      // Blocked in the task pipe's read, then woken as a blocked thread is (P4b), before it
      // runs and takes its GIL back.
      co_await pool.tasks.get(e, self, next, pool.handlers_wait);
    }
    if (!next) break;  // terminate(): the parent's SIGTERM
    const Chunk chunk = *next;
    co_await work_on_chunk(ctx, self, chunk, {&pool.task_pipe, &pool.result_pipe});
    ++pool.unread;
    pool.results.push(e, chunk);
    if (pool.result_waiting) e.notify(pool.result_handler);
    if (pool.polling) e.notify(pool.worker_handler);  // the result pipe is one of the fds it polls
  }
  co_await process_teardown(ctx, self);
  if (--pool.alive == 0) e.notify(pool.main);
  e.exit(self);
}

/// _handle_workers(): each loop, _maintain_pool() (a waitpid per worker) and a wait() on the
/// workers' sentinels, the change notifier and the result pipe, then a poll of the change
/// notifier; pool_wakeup under the parent's GIL, the system calls without it (P6). The
/// poll is level-triggered: it blocks only while the result pipe holds no unread result,
/// so every result wakes it, and it loops again, dropping the GIL only for its system
/// calls, until the result handler has read them all.
Program worker_handler_main(RunContext& ctx, Pool& pool, ThreadId self) {
  Engine& e = ctx.engine;
  // A loop that costs nothing (a scenario with no pool_wakeup and no ipc_syscall) cannot
  // spin: each pass would take no time, so it blocks until it is woken instead.
  const bool free_loop = ctx.settings.costs.pool_wakeup + ctx.settings.costs.ipc_syscall <= Time::zero();
  co_await handler_begins(ctx, pool, self);
  // P4b: its first loop, _maintain_pool() and the sentinels of its first wait(), runs cold
  // before that wait blocks: pool_first_loop more Python under the GIL.
  co_await e.compute(self, ctx.settings.costs.pool_first_loop, Work::python());
  while (!pool.terminating) {
    co_await e.release_gil(self);
    co_await e.compute(self, ctx.settings.costs.ipc_syscall, Work::native());  // poll()
    if ((pool.unread == 0 || free_loop) && !pool.terminating) {
      pool.polling = true;
      co_await e.wait_for_notify(self, std::nullopt);
      pool.polling = false;
      if (pool.handlers_wait) co_await wake_from_block(e, self);  // P4b
    }
    co_await e.acquire_gil(self);
    // The loop's Python in thirds around its system calls, each made without the GIL (G7):
    // _wait_for_updates() ends with change_notifier.empty(), a poll of that pipe with no
    // timeout; then _maintain_pool() -> _join_exited_workers(): worker.exitcode ->
    // Popen.poll() -> os.waitpid(pid, WNOHANG) for each worker; then wait()'s poll above.
    const Time python = ctx.settings.costs.pool_wakeup;
    co_await e.compute(self, python / 3, Work::python());
    co_await e.release_gil(self);
    co_await e.compute(self, ctx.settings.costs.ipc_syscall, Work::native());  // poll(), no timeout
    co_await e.acquire_gil(self);
    co_await e.compute(self, python / 3, Work::python());
    for (int k = 0; k < pool.alive; ++k) {
      co_await e.release_gil(self);
      co_await e.compute(self, ctx.settings.costs.ipc_syscall, Work::native());  // waitpid()
      co_await e.acquire_gil(self);
    }
    co_await e.compute(self, python - 2 * (python / 3), Work::python());
  }
  e.exit(self);
}

Program task_handler_main(RunContext& ctx, Pool& pool, ThreadId self, std::vector<Chunk> chunks) {
  Engine& e = ctx.engine;
  co_await handler_begins(ctx, pool, self);
  // for taskseq, set_length in iter(taskqueue.get, None): blocked until map() puts its tasks.
  if (pool.handlers_wait) co_await block_until(e, self, pool.task_waiting, [&pool] { return pool.submitted; });
  for (const Chunk& chunk : chunks) {
    // send_chunk()'s steps written out: no coroutine frame per task.
    const MessageCost m = message_cost(ctx, self, chunk, false, true);
    co_await e.compute(self, m.pickle, Work::pickling(m.job));
    co_await e.release_gil(self);  // the pipe's write, blocked while the pipe is full (P7b)
    if (!pool.task_pipe.try_write(m.bytes)) co_await pool.task_pipe.wait_for_room(e, self, m.bytes, m.job);
    co_await e.compute(self, m.syscall, Work::native(m.job));
    co_await e.acquire_gil(self);
    e.trace().mark(e.now(), trace::MarkKind::Dispatch, e.lane(self), trace::kNone,
                   static_cast<std::int64_t>(chunk.count));
    pool.tasks.push(e, chunk);
  }
  e.exit(self);
}

Program result_handler_main(RunContext& ctx, Pool& pool, ThreadId self) {
  Engine& e = ctx.engine;
  co_await handler_begins(ctx, pool, self);
  std::optional<Chunk> next;
  while (ctx.jobs_left > 0) {
    // Blocked in the result pipe's read without the GIL until a result comes (P4b).
    // block_until()'s coroutine only when it blocks: a busy pool's result is mostly there.
    if (pool.handlers_wait && pool.results.empty()) {
      co_await block_until(e, self, pool.result_waiting, [&pool] { return !pool.results.empty(); });
    }
    if (!pool.results.try_get(next)) co_await pool.results.get(e, self, next);
    const Chunk chunk = *next;  // results never close: one comes for every chunk sent
    // receive_chunk()'s steps written out: no coroutine frame per result.
    const MessageCost m = message_cost(ctx, self, chunk, true, false);
    co_await e.release_gil(self);  // the pipe's read
    co_await e.compute(self, m.syscall, Work::native(m.job));
    pool.result_pipe.read(e, m.bytes);
    // The read took the result out of the pipe: the worker handler's poll no longer sees it,
    // though its unpickling waits for the GIL (P6).
    --pool.unread;
    co_await e.acquire_gil(self);
    co_await e.compute(self, m.pickle, Work::pickling(m.job));
    ctx.jobs_left -= static_cast<int>(chunk.count);
    pool.hand_over->set(e, chunk);
  }
  e.exit(self);
}

Program pool_main(RunContext& ctx, std::shared_ptr<Pool> pool) {
  Engine& e = ctx.engine;
  const ThreadId main = pool->main;
  co_await e.acquire_gil(main);

  // Pool(): _repopulate_pool() starts every worker, one after another (P4) ...
  ProcessStarter starter(ctx);
  for (int k = 1; k <= ctx.settings.workers; ++k) {
    const auto process = e.add_process(fmt::format("worker {}", k));
    const ThreadId w = e.add_thread(fmt::format("worker {}", k), process);
    ++pool->alive;
    // Captures trivially destructible only: GCC 12 may destroy a temporary of a co_await twice.
    Pool* p = pool.get();
    co_await starter.start(main, w, [&ctx, p](ThreadId child, Time ready_at, Time cost) {
      return worker_main(ctx, *p, child, ready_at, cost);
    });
  }
  // ... then its worker handler, task handler and result handler threads (pool_setup, with
  // the queues' pipes and locks); map() comes after Pool() returned.
  const auto& costs = ctx.settings.costs;
  // Each Thread.start() costs thread_start of pool_setup; with T1a it waits for the new
  // thread's bootstrap, the new thread woken on its core and the starter woken back, each
  // after G8's wake-up (P4b).
  const Time each = min(costs.thread_start, costs.pool_setup / 3);
  co_await e.compute(main, costs.pool_setup - 3 * each, Work::starting());
  const ThreadId handlers[] = {pool->worker_handler, pool->task_handler, pool->result_handler};
  Program programs[] = {worker_handler_main(ctx, *pool, pool->worker_handler),
                        task_handler_main(ctx, *pool, pool->task_handler, cut_in_chunks(ctx)),
                        result_handler_main(ctx, *pool, pool->result_handler)};
  for (int i = 0; i < 3; ++i) {
    if (each > Time::zero()) co_await e.compute(main, each, Work::starting());
    e.trace().mark(e.now(), trace::MarkKind::Spawn, e.lane(main), e.lane(handlers[i]), each.ns());
    e.start(handlers[i], std::move(programs[i]));
    if (pool->handlers_wait) {
      co_await e.release_gil(main);
      while (pool->started <= i) co_await e.wait_for_notify(main, std::nullopt);
      co_await wake_from_block(e, main);
      co_await e.acquire_gil(main);
    }
  }
  if (pool->handlers_wait) {
    // map(), imap(), imap_unordered() or apply_async(): the result object made, the tasks put
    // on the task queue, whose get() the task handler is blocked in (P4b).
    co_await e.compute(main, costs.pool_map_call, Work::python());
    pool->submitted = true;
    if (pool->task_waiting) e.notify(pool->task_handler);
  }
  // Then the run's map(), imap(), imap_unordered() or apply_async() calls, and the main
  // thread takes every result: blocked on the result's condition (a lock's futex) until
  // the result handler sets it, it wakes as a blocked thread does (G8), then takes its
  // GIL back (P4a).
  co_await pool->hand_over->take_all(e);

  // Leaving the with-block: terminate() wakes the worker handler twice and sends the result
  // handler its sentinel, then SIGTERMs every worker and joins them (P8).
  for (int i = 0; i < 3; ++i) co_await send_signal(ctx, main);
  pool->terminating = true;
  if (pool->polling) e.notify(pool->worker_handler);
  pool->tasks.close(e);
  co_await e.release_gil(main);
  while (pool->alive > 0) co_await e.wait_for_notify(main, std::nullopt);
  e.exit(main);
}

/// One multiprocessing.Process per job: the child starts, runs its job with its own GIL
/// (P1) and ends (P8); a Process hands back no result (that needs a Queue).
Program process_main(RunContext& ctx, ThreadId self, ThreadId parent, const PlannedJob& job, Time ready_at,
                     Time start_cost, int* alive) {
  Engine& e = ctx.engine;
  co_await process_startup(e, self, ready_at, start_cost);
  co_await e.acquire_gil(self);  // the child's own interpreter
  co_await run_job(e, self, job, ctx.settings, ctx.shared);
  --ctx.jobs_left;
  co_await process_teardown(ctx, self);
  if (--*alive == 0) e.notify(parent);
  e.exit(self);
}

Program processes_main(RunContext& ctx, ThreadId main, std::shared_ptr<int> alive) {
  Engine& e = ctx.engine;
  co_await e.acquire_gil(main);
  ProcessStarter starter(ctx);
  // for p in processes: p.start() -- each start paid by the parent, one after another (P4).
  for (const auto& job : ctx.jobs) {
    const auto name = fmt::format("process {}", starter.started() + 1);
    const ThreadId child = e.add_thread(name, e.add_process(name));
    ++*alive;
    int* count = alive.get();  // trivially destructible (see pool_main)
    co_await starter.start(main, child, [&ctx, &job, main, count](ThreadId c, Time ready_at, Time cost) {
      return process_main(ctx, c, main, job, ready_at, cost, count);
    });
  }
  co_await e.release_gil(main);  // for p in processes: p.join(): each ends first (P8)
  while (*alive > 0) co_await e.wait_for_notify(main, std::nullopt);
  e.exit(main);
}

}  // namespace

void start_processes(RunContext& ctx) {
  Engine& e = ctx.engine;
  const auto parent = e.add_process("main");
  const ThreadId main = e.add_thread("main", parent);
  e.start(main, processes_main(ctx, main, std::make_shared<int>(0)));
}

void start_process_pool(RunContext& ctx) {
  Engine& e = ctx.engine;
  const auto parent = e.add_process("main");
  auto pool = std::make_shared<Pool>();
  pool->task_pipe = Pipe(ctx.settings.costs.pipe_capacity);
  pool->result_pipe = Pipe(ctx.settings.costs.pipe_capacity);
  pool->main = e.add_thread("main", parent);
  pool->worker_handler = e.add_thread("worker handler", parent);
  pool->task_handler = e.add_thread("task handler", parent);
  pool->result_handler = e.add_thread("result handler", parent);
  pool->hand_over.emplace(pool->main, ctx.run.method, ctx.jobs.size());
  pool->handlers_wait = ctx.settings.costs.thread_bootstrap > Time::zero();
  e.start(pool->main, pool_main(ctx, pool));
}

}  // namespace gilsim::model

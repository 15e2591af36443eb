// Worker processes' start, messages and end (docs/model.md P4, P7, P8).
#include "sim/model/worker_processes.hpp"

#include <algorithm>

namespace gilsim::model {

using scenario::StartMethod;

namespace {

/// What a ProcessPoolExecutor call adds for each job besides its arguments (P7b): the
/// arguments' own tuple (a pickle's TUPLE1 and MEMOIZE), which Pool.map's chunks do not have.
constexpr std::int64_t kArgsTupleBytes = 2;

/// Whether a Pool's tasks each call the function on one job's arguments, without mapstar
/// (P7b): apply_async's, and imap's and imap_unordered's with chunksize 1, where CPython's
/// Pool sends the function itself rather than chunks for mapstar.
bool one_call_tasks(const RunContext& ctx) {
  if (ctx.run.method == scenario::PoolMethod::ApplyAsync) return true;
  return ctx.run.method != scenario::PoolMethod::Map && ctx.settings.chunksize == 1;
}

/// A chunk's message (P7b): its own bytes once, by the pool's API, and each job's arguments
/// or result. Pool's chunks for `mapstar` (map; imap and imap_unordered with a chunksize
/// above 1) carry the job's and chunk's numbers, mapstar's and the function's references and
/// the tuples, and their result is a list; a Pool task that calls the function on one job
/// (apply_async; imap and imap_unordered with chunksize 1) has no mapstar and its result is
/// not in a list; ProcessPoolExecutor's are its _CallItem and _ResultItem objects, whose
/// call holds each job's arguments in a tuple of their own.
std::int64_t chunk_bytes(const RunContext& ctx, const Chunk& c, bool results) {
  const auto& costs = ctx.settings.costs;
  std::int64_t bytes = 0;
  std::int64_t per_job = 0;
  if (ctx.run.executor == scenario::Executor::ProcessPoolExecutor) {
    bytes = results ? costs.ipc_executor_result_bytes : costs.ipc_executor_call_bytes;
    if (!results) per_job = kArgsTupleBytes;
  } else if (one_call_tasks(ctx)) {
    bytes = results ? costs.ipc_apply_result_bytes : costs.ipc_apply_task_bytes;
  } else {
    bytes = results ? costs.ipc_result_bytes : costs.ipc_task_bytes;
  }
  for (std::size_t i = c.first; i < c.first + c.count; ++i) {
    bytes += per_job + (results ? ctx.jobs[i].result_bytes : ctx.jobs[i].arg_bytes);
  }
  return bytes;
}

/// Each side of a message costs ipc_message / 2 of CPU (P7): ipc_syscall of it is the pipe's
/// system calls, made without the GIL (G7); the rest, and the bytes, pickling under the GIL.
/// The data is there (or the pipe has room), so a pipe's read or write is CPU in the kernel
/// on the caller's core, with the GIL dropped around it: written out in each message's
/// program, not a coroutine of its own (with chunksize 1, four coroutines fewer a task).
Time pipe_syscall(const scenario::Costs& costs) { return min(costs.ipc_syscall, costs.ipc_message / 2); }

/// P7c: the bytes' way through the pipe, in the reader's read (none unless fitted).
Time pipe_bytes_cost(const scenario::Costs& costs, std::int64_t bytes) {
  if (costs.ipc_pipe_bandwidth <= 0.0) return Time::zero();
  return Time::from_seconds(static_cast<double>(bytes) / costs.ipc_pipe_bandwidth);
}

Time pickle_cost(const scenario::Costs& costs, std::int64_t bytes) {
  return costs.ipc_message / 2 - pipe_syscall(costs) +
         Time::from_seconds(static_cast<double>(bytes) / costs.ipc_bandwidth);
}

/// What a process's first job message each way (`sending` or not) costs more, as its pipe
/// call and as its pickling (P7a): none once its thread has sent (or received) one, and none
/// unless the workers were forked (a spawned child's start already pickles and pipes).
struct FirstMessage {
  Time syscall = Time::zero();
  Time pickle = Time::zero();
};

FirstMessage first_message(RunContext& ctx, ThreadId self, bool sending) {
  if (ctx.settings.start_method != StartMethod::Fork) return {};
  if (ctx.warm_pipes.size() <= self) ctx.warm_pipes.resize(self + 1, 0);
  const std::uint8_t side = sending ? RunContext::kSent : RunContext::kReceived;
  if ((ctx.warm_pipes[self] & side) != 0) return {};
  ctx.warm_pipes[self] |= side;
  return {ctx.settings.costs.ipc_first_syscall, ctx.settings.costs.ipc_first_pickle};
}

}  // namespace

bool Pipe::try_write(std::int64_t bytes) {
  if (!writers_.empty() || !fits(bytes)) return false;
  unread_ += bytes;
  return true;
}

Program Pipe::wait_for_room(Engine& e, ThreadId self, std::int64_t bytes, std::uint32_t job) {
  bool given = false;  // read() sets it before this frame resumes, never after
  writers_.push_back({self, bytes, &given});
  while (!given) co_await e.wait_for_notify(self, SpanState::BlockedIo, Time::max(), job);
  co_await wake_from_block(e, self);
}

void Pipe::read(Engine& e, std::int64_t bytes) {
  unread_ -= bytes;
  while (!writers_.empty() && fits(writers_.front().bytes)) {
    const Writer w = writers_.front();
    writers_.pop_front();
    unread_ += w.bytes;
    *w.given = true;
    e.notify(w.thread);
  }
}

void ResultHandOver::set(Engine& e, const Chunk& chunk) {
  const std::size_t before = handed_over_;
  received_ += chunk.count;
  switch (method_) {
    case scenario::PoolMethod::Map:
      if (received_ == jobs_) handed_over_ = jobs_;
      break;
    case scenario::PoolMethod::ImapUnordered:
      handed_over_ = received_;
      break;
    case scenario::PoolMethod::Imap:
    case scenario::PoolMethod::ApplyAsync:
      ahead_[chunk.first] = chunk.count;
      for (auto next = ahead_.find(handed_over_); next != ahead_.end(); next = ahead_.find(handed_over_)) {
        handed_over_ += next->second;
        ahead_.erase(next);
      }
      break;
  }
  if (handed_over_ != before && waiting_) e.notify(main_);
}

Program ResultHandOver::take_all(Engine& e) {
  for (std::size_t taken = 0; taken < jobs_; taken = handed_over_) {
    if (handed_over_ > taken) continue;
    co_await e.release_gil(main_);
    waiting_ = true;
    co_await e.wait_for_notify(main_, std::nullopt);
    waiting_ = false;
    co_await wake_from_block(e, main_);
    co_await e.acquire_gil(main_);
  }
}

std::vector<Chunk> cut_in_chunks(const RunContext& ctx) {
  const auto size = static_cast<std::size_t>(std::max(1, ctx.settings.chunksize));
  std::vector<Chunk> chunks;
  for (std::size_t i = 0; i < ctx.jobs.size(); i += size) {
    chunks.push_back(Chunk{i, std::min(size, ctx.jobs.size() - i)});
  }
  return chunks;
}

MessageCost message_cost(RunContext& ctx, ThreadId self, const Chunk& chunk, bool results, bool sending) {
  const auto& costs = ctx.settings.costs;
  const FirstMessage first = first_message(ctx, self, sending);
  const std::int64_t bytes = chunk_bytes(ctx, chunk, results);
  const Time pipe = sending ? Time::zero() : pipe_bytes_cost(costs, bytes);
  return {pickle_cost(costs, bytes) + first.pickle, pipe_syscall(costs) + first.syscall + pipe, bytes,
          ctx.jobs[chunk.first].index};
}

Program send_chunk(RunContext& ctx, ThreadId self, const Chunk& chunk, bool results, Pipe* pipe) {
  Engine& e = ctx.engine;
  const MessageCost m = message_cost(ctx, self, chunk, results, true);
  co_await e.compute(self, m.pickle, Work::pickling(m.job));
  co_await e.release_gil(self);  // the pipe's write, blocked while the pipe is full (P7b)
  if (pipe != nullptr && !pipe->try_write(m.bytes)) co_await pipe->wait_for_room(e, self, m.bytes, m.job);
  co_await e.compute(self, m.syscall, Work::native(m.job));
  co_await e.acquire_gil(self);
}

Program receive_chunk(RunContext& ctx, ThreadId self, const Chunk& chunk, bool results, int* unread, Pipe* pipe) {
  Engine& e = ctx.engine;
  const MessageCost m = message_cost(ctx, self, chunk, results, false);
  co_await e.release_gil(self);  // the pipe's read
  co_await e.compute(self, m.syscall, Work::native(m.job));
  if (pipe != nullptr) pipe->read(e, m.bytes);
  if (unread != nullptr) --*unread;  // the read took it out of the pipe (P6)
  co_await e.acquire_gil(self);
  co_await e.compute(self, m.pickle, Work::pickling(m.job));
}

Program work_on_chunk(RunContext& ctx, ThreadId self, const Chunk& chunk, ChunkPipes pipes) {
  // receive_chunk()'s and send_chunk()'s steps written out: a worker's chunk takes one
  // coroutine frame for its two messages, not three (with chunksize 1, for every task).
  Engine& e = ctx.engine;
  const MessageCost task = message_cost(ctx, self, chunk, false, false);
  co_await e.release_gil(self);  // the pipe's read
  co_await e.compute(self, task.syscall, Work::native(task.job));
  if (pipes.tasks != nullptr) pipes.tasks->read(e, task.bytes);
  co_await e.acquire_gil(self);
  co_await e.compute(self, task.pickle, Work::pickling(task.job));
  for (std::size_t i = chunk.first; i < chunk.first + chunk.count; ++i) {
    co_await run_job(e, self, ctx.jobs[i], ctx.settings, ctx.shared);
  }
  const MessageCost result = message_cost(ctx, self, chunk, true, true);
  co_await e.compute(self, result.pickle, Work::pickling(result.job));
  co_await e.release_gil(self);  // the pipe's write, blocked while the pipe is full (P7b)
  if (pipes.results != nullptr && !pipes.results->try_write(result.bytes)) {
    co_await pipes.results->wait_for_room(e, self, result.bytes, result.job);
  }
  co_await e.compute(self, result.syscall, Work::native(result.job));
  co_await e.acquire_gil(self);
}

Program send_signal(RunContext& ctx, ThreadId self) {
  const auto& costs = ctx.settings.costs;
  Engine& e = ctx.engine;
  co_await e.compute(self, pickle_cost(costs, 0), Work::pickling());
  co_await e.release_gil(self);  // the pipe's write
  co_await e.compute(self, pipe_syscall(costs), Work::native());
  co_await e.acquire_gil(self);
}

ProcessStart process_start(const scenario::Costs& costs, StartMethod method, int k) {
  // Process.start(): os.fork() (or posix_spawn) in the parent, then the parent goes on while
  // the child readies itself on its own core.
  ProcessStart start{costs.fork_start, costs.fork_child_start, costs.fork_call};
  if (method == StartMethod::Fork && k == 1) {
    // P4d: a program's first fork start costs more, in the parent, in its os.fork() and in the
    // child, than its later ones (measured apart).
    start.parent_cost += costs.fork_first_extra;
    start.call += costs.fork_first_call_extra;
    start.child_cost += costs.fork_first_child_extra;
  }
  if (method == StartMethod::Spawn) {
    start.parent_cost = costs.spawn_call;  // posix_spawn and the pickled process written to the child
    start.child_cost = costs.spawn_start;  // a fresh interpreter: exec, imports, unpickling the process
  } else if (method == StartMethod::Forkserver) {
    start.parent_cost = costs.forkserver_request;  // a request to the server over a socket
    start.call = costs.fork_call;                  // the server's os.fork() of the child
    start.child_cost = costs.forkserver_start;
  }
  return start;
}

namespace {

Program resource_tracker_main(Engine& e, ThreadId self, Time start_cost) {
  co_await process_startup(e, self, e.now(), start_cost);
  e.exit(self);  // it waits for the program's end without a core: the lane ends here
}

/// The server readies a fresh interpreter as a spawned worker does, on a core (P4), and then
/// waits for requests without one: its lane ends there, as the resource tracker's does.
Program forkserver_main(Engine& e, ThreadId self, Time start_cost, ThreadId parent, bool* up) {
  co_await process_startup(e, self, e.now(), start_cost);
  *up = true;
  e.notify(parent);
  e.exit(self);
}

/// The spawned child's first spawn_exec: up to its exec, which lets the parent go on.
Program until_exec(Engine& e, ThreadId self, Time exec, ThreadId parent, bool* execed, Program rest) {
  co_await e.compute(self, exec, Work::starting_interpreter());
  *execed = true;
  e.notify(parent);
  co_await rest;
}

}  // namespace

Time spawn_exec(const scenario::Costs& costs, Time child_cost) { return min(costs.spawn_exec, child_cost); }

Program ProcessStarter::spawn(ThreadId parent, ThreadId child, Time child_cost, Program rest) {
  Engine& e = ctx_.engine;
  const auto& costs = ctx_.settings.costs;
  co_await e.compute(parent, costs.spawn_call, Work::starting());
  bool execed = false;  // the child sets it before this frame resumes, never after
  e.start(child, until_exec(e, child, spawn_exec(costs, child_cost), parent, &execed, std::move(rest)));
  // CPython 3.11's _posixsubprocess keeps the GIL across vfork() (3.12 drops it).
  while (!execed) co_await e.wait_for_notify(parent, SpanState::BlockedIo);
}

Program ProcessStarter::start_resource_tracker(ThreadId parent) {
  Engine& e = ctx_.engine;
  const std::string name(trace::kResourceTracker);
  const ThreadId tracker = e.add_thread(name, e.add_process(name));
  const Time cost = ctx_.settings.costs.tracker_start;
  Program rest = resource_tracker_main(e, tracker, cost - spawn_exec(ctx_.settings.costs, cost));
  co_await spawn(parent, tracker, cost, std::move(rest));
}

Program ProcessStarter::start_forkserver(ThreadId parent) {
  Engine& e = ctx_.engine;
  const std::string name(trace::kForkserver);
  const ThreadId server = e.add_thread(name, e.add_process(name));
  const Time cost = ctx_.settings.costs.spawn_start;
  Program rest = forkserver_main(e, server, cost - spawn_exec(ctx_.settings.costs, cost), parent, &server_up_);
  co_await spawn(parent, server, cost, std::move(rest));
}

Program ProcessStarter::wait_for_forked_child(ThreadId parent, Time fork) {
  // Popen._launch()'s read_signed(): the child's pid, which the server writes once it is up
  // and its os.fork() returned; a read without the GIL.
  Engine& e = ctx_.engine;
  co_await e.release_gil(parent);
  while (!server_up_) co_await e.wait_for_notify(parent, SpanState::BlockedIo);
  if (fork > Time::zero()) co_await e.wait(parent, fork, SpanState::BlockedIo);
}

Program process_startup(Engine& e, ThreadId self, Time ready_at, Time start_cost) {
  if (ready_at > e.now()) co_await e.wait(self, ready_at - e.now(), SpanState::Starting);
  co_await e.compute(self, start_cost, Work::starting_interpreter());
}

Program process_teardown(RunContext& ctx, ThreadId self) {
  Engine& e = ctx.engine;
  if (e.holds_gil(self)) co_await e.release_gil(self);
  co_await e.compute(self, ctx.settings.costs.process_exit, Work::native());
}

}  // namespace gilsim::model

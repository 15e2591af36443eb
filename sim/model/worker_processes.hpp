// What every executor of worker processes shares (docs/model.md P4, P7, P8): starting a
// process, its messages through pipes, and its end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>

#include "sim/model/executors.hpp"

namespace gilsim::model {

/// Consecutive jobs sent in one message: a Pool.map chunk, or one call of an executor.
struct Chunk {
  std::size_t first = 0;
  std::size_t count = 0;
};

/// The run's jobs cut in chunks of the run's chunksize (P5, P9).
std::vector<Chunk> cut_in_chunks(const RunContext& ctx);

/// A pipe's room (P7b): it holds `capacity` bytes written and not read yet. A writer whose
/// message does not fit waits in its write, blocked in the kernel, behind any writer already
/// waiting, until reads make room; a message bigger than the whole pipe waits for it to be
/// empty (streaming it through while the reader reads is not modelled).
class Pipe {
 public:
  explicit Pipe(std::int64_t capacity) : capacity_(capacity) {}
  /// Takes room for `bytes` when they fit now and no writer waits: true; else false.
  bool try_write(std::int64_t bytes);
  /// Waits, blocked without the GIL, until room for `bytes` is given to `self` (after a
  /// false try_write), then for the wake-up of a thread blocked in the kernel (G8).
  Program wait_for_room(Engine& e, ThreadId self, std::int64_t bytes, std::uint32_t job);
  /// A read of `bytes` is done: their room is free, given to the waiting writers that fit.
  void read(Engine& e, std::int64_t bytes);
  std::int64_t unread() const { return unread_; }

 private:
  struct Writer {
    ThreadId thread;
    std::int64_t bytes;
    bool* given;
  };
  bool fits(std::int64_t bytes) const { return unread_ == 0 || unread_ + bytes <= capacity_; }

  std::int64_t capacity_;
  std::int64_t unread_ = 0;
  std::deque<Writer> writers_;  ///< in the order they wrote: the queue's write lock, or one writer
};

/// The pipes a chunk's messages go through: its task's and its results' (nullptr: no limit).
struct ChunkPipes {
  Pipe* tasks = nullptr;
  Pipe* results = nullptr;
};

/// What one chunk's message (its arguments, or with `results` its results) costs the thread
/// that sends it (`sending`) or receives it (P7, P7a, P7b): its pickling under the GIL and
/// its pipe call without it, its bytes, and the job it is shown as. Taking it marks that
/// thread's pipe that way as used (P7a): take it where the message starts. send_chunk() and
/// receive_chunk() take it; a loop that sends or receives one message per chunk writes their
/// steps out with it instead (a coroutine frame fewer per message).
struct MessageCost {
  Time pickle;
  Time syscall;
  std::int64_t bytes = 0;
  std::uint32_t job = 0;
};
MessageCost message_cost(RunContext& ctx, ThreadId self, const Chunk& chunk, bool results, bool sending);

/// Pickles a chunk's arguments (or, with `results`, its results) and writes them to a pipe
/// (P7), waiting while `pipe`, if given, has no room for them (P7b).
Program send_chunk(RunContext& ctx, ThreadId self, const Chunk& chunk, bool results, Pipe* pipe = nullptr);
/// Reads a chunk's arguments or results from a pipe and unpickles them (P7); `unread`, if
/// given, counts the messages in the pipe not read yet, one fewer once the read is done;
/// `pipe`, if given, gets their room back then (P7b).
Program receive_chunk(RunContext& ctx, ThreadId self, const Chunk& chunk, bool results, int* unread = nullptr,
                      Pipe* pipe = nullptr);
/// A worker's part of a chunk: receive its arguments, run its jobs, send back its results.
Program work_on_chunk(RunContext& ctx, ThreadId self, const Chunk& chunk, ChunkPipes pipes = {});
/// A message with nothing in it (a sentinel, a wake-up): its pipe call and its pickling (P7).
Program send_signal(RunContext& ctx, ThreadId self);

/// The parent's main thread and the results it waits for (P4a): map() returns once every
/// chunk's results are in (a MapResult's event); imap_unordered()'s next() each time one is
/// (its condition is notified at each); imap()'s next(), an ApplyResult's get() and
/// concurrent.futures' map() in the jobs' order. Blocked on that condition (a lock's futex),
/// the main thread wakes as a blocked thread does (G8) and takes its GIL back.
class ResultHandOver {
 public:
  ResultHandOver(ThreadId main, scenario::PoolMethod method, std::size_t jobs)
      : main_(main), method_(method), jobs_(jobs) {}
  /// The parent has read and unpickled `chunk`'s results: wakes the main thread if that
  /// made a result for it.
  void set(Engine& e, const Chunk& chunk);
  /// The main thread, holding its GIL, takes every result; it returns holding it.
  Program take_all(Engine& e);

 private:
  ThreadId main_;
  scenario::PoolMethod method_;
  std::size_t jobs_;
  std::size_t received_ = 0;
  std::size_t handed_over_ = 0;  ///< jobs whose results the main thread can take
  std::map<std::size_t, std::size_t> ahead_;  ///< in order: chunks read before an earlier one
  bool waiting_ = false;
};

/// Starts worker process number `k` (from 1): the parent pays its part under its GIL; the
/// child, started on `program_of(child, ready_at, child_cost)`, pays its own (P4).
class ProcessStarter {
 public:
  explicit ProcessStarter(RunContext& ctx) : ctx_(ctx) {}
  template <typename MakeProgram>
  Program start(ThreadId parent, ThreadId child, MakeProgram program_of);
  int started() const { return started_; }

 private:
  /// The first spawn or forkserver start also starts multiprocessing's resource tracker (P4).
  Program start_resource_tracker(ThreadId parent);
  /// posix_spawn (P4): the parent's spawn_call, then `child` runs the first spawn_exec of its
  /// `child_cost`, up to its exec, while the parent waits for it (vfork) with its GIL; then
  /// `rest`, the remainder of its start and its work.
  Program spawn(ThreadId parent, ThreadId child, Time child_cost, Program rest);

  /// The first forkserver start spawns the server (P4), which readies itself on a core.
  Program start_forkserver(ThreadId parent);
  /// A forkserver start's parent, its request sent, reads the child's pid: without its GIL,
  /// until the server is up and has forked the child (`fork`); it returns without the GIL.
  Program wait_for_forked_child(ThreadId parent, Time fork);

  RunContext& ctx_;
  int started_ = 0;
  bool server_up_ = false;  ///< forkserver: the server has readied itself and takes requests
};

/// The parent's and the child's costs of starting process `k` (from 1) (P4).
struct ProcessStart {
  Time parent_cost;
  Time child_cost;
  /// fork: of parent_cost, os.fork() itself; the child starts when it returns. forkserver: the
  /// server's os.fork(), after the parent's request.
  Time call = Time::zero();
};
ProcessStart process_start(const scenario::Costs& costs, scenario::StartMethod method, int k);

/// Of a spawned child's start `child_cost`, the part until its exec frees the parent (P4).
Time spawn_exec(const scenario::Costs& costs, Time child_cost);

/// A child process's first moments: waiting for a forkserver, then readying itself on its
/// own core without a GIL (P4).
Program process_startup(Engine& e, ThreadId self, Time ready_at, Time start_cost);

/// A process ends: its exit and the kernel's teardown, on its own core without a GIL, before
/// a join() in the parent returns (P8). The caller exits the thread after.
Program process_teardown(RunContext& ctx, ThreadId self);

template <typename MakeProgram>
Program ProcessStarter::start(ThreadId parent, ThreadId child, MakeProgram program_of) {
  Engine& e = ctx_.engine;
  const scenario::StartMethod method = ctx_.settings.start_method;
  const ProcessStart cost = process_start(ctx_.settings.costs, method, ++started_);
  const Time parent_cost = cost.parent_cost;
  if (started_ == 1 && method != scenario::StartMethod::Fork) co_await start_resource_tracker(parent);
  if (method == scenario::StartMethod::Forkserver) {
    if (started_ == 1) co_await start_forkserver(parent);
    co_await e.compute(parent, parent_cost, Work::starting());
    co_await wait_for_forked_child(parent, cost.call);
    e.trace().mark(e.now(), trace::MarkKind::Spawn, e.lane(parent), e.lane(child), cost.child_cost.ns());
    e.start(child, program_of(child, e.now(), cost.child_cost));
    co_await e.acquire_gil(parent);
    co_return;
  }
  if (method == scenario::StartMethod::Spawn) {
    const Time begin = e.now();
    e.trace().mark(begin, trace::MarkKind::Spawn, e.lane(parent), e.lane(child), cost.child_cost.ns());
    Program rest = program_of(child, begin, cost.child_cost - spawn_exec(ctx_.settings.costs, cost.child_cost));
    co_await spawn(parent, child, cost.child_cost, std::move(rest));
    co_return;
  }
  // os.fork() returns in both processes after fork_call: the child readies itself from then
  // on, while the parent goes on with the rest of Process.start() (P4).
  const Time call = min(cost.call, parent_cost);
  co_await e.compute(parent, call, Work::starting());
  // The mark where the child's starting bar begins, saying how long that bar is: with the
  // call before it, it said 1.83 ms beside a bar of 1.32 (lesson 01).
  e.trace().mark(e.now(), trace::MarkKind::Spawn, e.lane(parent), e.lane(child), cost.child_cost.ns());
  e.start(child, program_of(child, e.now(), cost.child_cost));
  if (parent_cost > call) co_await e.compute(parent, parent_cost - call, Work::starting());
}

}  // namespace gilsim::model

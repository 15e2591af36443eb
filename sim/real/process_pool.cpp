// process_pool: real worker processes (fork, or spawn: fork then exec of this very binary),
// each with its own GIL; the parent's task handler pickles Pool.map's chunks, whichever
// worker is idle gets the next, its result handler unpickles the results; arguments and
// results cross pipes; every child is killed and reaped whatever happens.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>

#include <fmt/format.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/real/execute.hpp"
#include "sim/real/executors.hpp"
#include "sim/real/pool_protocol.hpp"
#include "sim/real/real_gil.hpp"
#include "sim/real/thread_group.hpp"
#include "sim/real/worker_set.hpp"

namespace gilsim::real {

using namespace pool;
using trace::MarkKind;
using trace::SpanState;

namespace {

[[noreturn]] void fail(const std::string& message) {
  throw RealRunError(RealRunError::Reason::WorkerFailed, message);
}

/// Polls the result pipes of the workers that have a chunk, and `wake_fd` if a worker is
/// idle; returns the index of a worker with something to read, or workers.size() when
/// only `wake_fd` is readable.
/// Throws RunAborted on abort (which also kills the workers, so their pipes reach EOF).
std::size_t wait_for_result(RunContext& ctx, const std::vector<Worker>& workers, int wake_fd) {
  std::vector<pollfd> fds;
  std::vector<std::size_t> owner;
  bool some_idle = false;
  for (std::size_t i = 0; i < workers.size(); ++i) {
    if (workers[i].chunk.empty()) {
      some_idle = true;
      continue;
    }
    fds.push_back(pollfd{workers[i].result_fd, POLLIN, 0});
    owner.push_back(i);
  }
  if (some_idle) {  // a new chunk matters only when a worker can take it
    fds.push_back(pollfd{wake_fd, POLLIN, 0});
    owner.push_back(workers.size());
  }
  for (;;) {
    for (auto& p : fds) p.revents = 0;
    const int n = poll(fds.data(), fds.size(), 20);  // wakes now and then to notice an abort
    ctx.throw_if_aborted();
    if (n < 0 && errno != EINTR) throw std::runtime_error(fmt::format("poll: {}", std::strerror(errno)));
    for (std::size_t k = 0; k < fds.size(); ++k) {  // results first
      if (fds[k].revents != 0) return owner[k];
    }
  }
}

/// Pool.map's pickled chunks between the task handler and the workers: the shared pipe
/// that idle workers pull from (P6), kept in the parent; an eventfd says a chunk arrived.
class ChunkQueue {
 public:
  ChunkQueue() {
    wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) throw std::runtime_error(fmt::format("eventfd: {}", std::strerror(errno)));
  }
  ~ChunkQueue() { close(wake_fd_); }
  int wake_fd() const { return wake_fd_; }

  struct Pickled {
    std::vector<std::uint32_t> jobs;
    std::vector<char> payload;
  };
  void push(Pickled chunk) {
    {
      std::lock_guard lock(mutex_);
      chunks_.push_back(std::move(chunk));
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] auto put = write(wake_fd_, &one, sizeof(one));
  }
  std::optional<Pickled> pop() {
    std::uint64_t count = 0;
    [[maybe_unused]] auto got = read(wake_fd_, &count, sizeof(count));
    std::lock_guard lock(mutex_);
    if (chunks_.empty()) return std::nullopt;
    Pickled chunk = std::move(chunks_.front());
    chunks_.pop_front();
    if (!chunks_.empty()) {
      const std::uint64_t one = 1;
      [[maybe_unused]] auto put = write(wake_fd_, &one, sizeof(one));
    }
    return chunk;
  }

 private:
  std::mutex mutex_;
  std::deque<Pickled> chunks_;
  int wake_fd_ = -1;
};

/// The most a call queued behind a busy worker may take in its pipe (P9), half of Linux's
/// default pipe buffer: writing it never waits for the worker.
constexpr std::size_t kQueuedBehindMax = 32 * 1024;

/// What differs between the three ways of running jobs in worker processes.
struct ProcessShape {
  const char* worker_name;  ///< "worker 1" (a pool's, as the model names them) or "process 1"
  bool one_per_job;         ///< multiprocessing.Process: one process per job, started with it
  const char* handler;      ///< the parent's thread that unpickles results (none for Process)
  bool task_handler;        ///< Pool: a task handler thread pickles; the executor's manager pickles as workers free up
};

/// Starts the worker processes, feeds them pickled chunks, collects their results and
/// their records; every process is killed and reaped whatever happens (WorkerSet).
ExecutorOutput run_worker_processes(RunInputs& in, const ProcessShape& shape) {
  RunContext& ctx = in.ctx;
  const bool has_gil = ctx.settings().gil != scenario::GilMode::None;
  const trace::ProcessId main_process = add_main_process(in);
  std::unique_ptr<RealGil> gil;
  if (has_gil) gil = std::make_unique<RealGil>(ctx, in.builder.gil_lane(main_process));
  // Declared before the group, so they outlive its threads whatever happens.
  WorkerSet set(ctx);
  ChunkQueue queue;
  ThreadGroup group(in, main_process, gil.get());
  const std::size_t main_index = group.add_lane("main");
  const std::size_t task_handler = shape.task_handler ? group.add_lane("task handler") : main_index;
  const std::size_t result_handler = shape.handler != nullptr ? group.add_lane(shape.handler) : main_index;
  const trace::LaneId main_lane = group.lane(main_index);

  const int worker_count =
      shape.one_per_job ? static_cast<int>(in.jobs.size()) : in.ctx.settings().workers;
  const int chunksize = shape.one_per_job ? 1 : std::max(1, in.ctx.settings().chunksize);
  const scenario::StartMethod method = in.ctx.settings().start_method;
  std::vector<trace::LaneId> worker_lanes;
  std::vector<trace::LaneId> worker_gils;
  for (int k = 0; k < worker_count; ++k) {
    const std::string name = fmt::format("{} {}", shape.worker_name, k + 1);
    const trace::ProcessId p = in.builder.add_process(name, has_gil);
    worker_gils.push_back(in.builder.gil_lane(p));
    worker_lanes.push_back(in.builder.add_lane(name, trace::LaneKind::Thread, p));
  }

  Time finished;
  ExecutorOutput out;
  // The parent pays each start (fork, or fork and exec) itself, one after another (P4).
  auto start_worker = [&](GilSeat& seat, int k) -> Worker& {
    const Time spawned = ctx.now();
    seat.recorder().state(spawned, seat.lane(), SpanState::Starting);
    Worker& w = set.start(method, worker_lanes[static_cast<std::size_t>(k)]);
    seat.recorder().state(ctx.now(), seat.lane(), SpanState::Running);
    WorkerConfig config;
    config.origin_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(ctx.origin().time_since_epoch()).count();
    config.spawned_at_ns = spawned.ns();
    config.settings = ctx.settings();
    config.parent_lane = main_lane;
    config.gil_lane = worker_gils[static_cast<std::size_t>(k)];
    config.thread_lane = w.lane;
    config.worker_index = static_cast<std::uint32_t>(k);
    std::vector<char> bytes(sizeof(config));
    std::memcpy(bytes.data(), &config, sizeof(config));
    if (!send(w.task_fd, MessageType::Config, 0, bytes)) fail(fmt::format("worker {} died at start", k + 1));
    return w;
  };
  // Pickles the jobs from `first` on, a chunk at a time, on the seat's thread (P5).
  auto pickle_chunk = [&](GilSeat& own, std::size_t first) {
    ChunkQueue::Pickled chunk;
    std::vector<const scenario::PlannedJob*> jobs;
    for (std::size_t j = first; j < std::min(in.jobs.size(), first + static_cast<std::size_t>(chunksize)); ++j) {
      jobs.push_back(&in.jobs[j]);
      chunk.jobs.push_back(in.jobs[j].index);
    }
    own.recorder().state(ctx.now(), own.lane(), SpanState::Pickling, chunk.jobs.front());
    chunk.payload = encode_chunk(jobs);
    own.recorder().mark(ctx.now(), MarkKind::Dispatch, own.lane(), trace::kNone,
                        static_cast<std::int64_t>(chunk.jobs.size()));
    own.recorder().state(ctx.now(), own.lane(), SpanState::Running);
    return chunk;
  };
  // Whether the chunk from `first` on, pickled, fits well within a pipe's 64 KiB.
  auto fits_in_pipe = [&](std::size_t first) {
    std::size_t bytes = sizeof(MessageHeader);
    for (std::size_t j = first; j < std::min(in.jobs.size(), first + static_cast<std::size_t>(chunksize)); ++j) {
      bytes += sizeof(JobHeader) + in.jobs[j].steps.size() * sizeof(scenario::PlannedStep) +
               static_cast<std::size_t>(std::max<std::int64_t>(0, in.jobs[j].arg_bytes));
    }
    return bytes <= kQueuedBehindMax;
  };
  auto give = [&](Worker& w, const ChunkQueue::Pickled& chunk) {
    if (w.chunk.empty()) {
      w.chunk = chunk.jobs;
    } else {
      w.queued.push_back(chunk.jobs);
    }
    if (!send(w.task_fd, MessageType::Chunk, static_cast<std::uint32_t>(w.chunk.size()), chunk.payload)) {
      ctx.throw_if_aborted();
      fail(fmt::format("a worker of run '{}' (pid {}) closed its pipe", in.run.name, w.pid));
    }
  };
  // Unpickles results (P7; a Process's end only says its job is done) and, in a pool, hands
  // an idle worker the next pickled chunk, as the worker would pull it from the shared pipe.
  auto collect_results = [&](GilSeat& own, bool unpickle) {
    std::size_t outstanding = in.jobs.size();
    MessageHeader header;
    std::vector<char> payload;
    std::size_t next = 0;  // the executor manager's next job to pickle
    const bool manager_pickles = !shape.task_handler && !shape.one_per_job;
    auto feed_idle_workers = [&] {
      if (shape.one_per_job) return;  // each Process was started with its job
      if (manager_pickles) {
        // The manager keeps the call queue topped up itself (P9): an idle worker gets a call
        // at once, and each busy worker one more behind it in its pipe (at most max_workers
        // calls waiting, within the call queue's max_workers + 1), so that a worker goes on to
        // its next call as soon as it has sent a result, with no round trip through the
        // manager.
        for (const bool behind : {false, true}) {
          for (Worker& w : set.workers()) {
            if (next >= in.jobs.size()) return;
            if (w.chunk.empty() == behind || !w.queued.empty()) continue;
            // Behind a busy worker only what its pipe holds without blocking the manager
            // (a worker writing a big result while the manager writes it a big call would
            // wait for each other).
            if (behind && !fits_in_pipe(next)) return;
            give(w, pickle_chunk(own, next));
            next += static_cast<std::size_t>(chunksize);
          }
        }
        return;
      }
      for (Worker& w : set.workers()) {
        if (!w.chunk.empty()) continue;
        std::optional<ChunkQueue::Pickled> chunk = queue.pop();
        if (!chunk) return;
        give(w, *chunk);
      }
    };
    while (outstanding > 0) {
      if (manager_pickles) feed_idle_workers();  // the manager pickles under its GIL
      own.drop(DropReason::Idle);
      if (!manager_pickles) feed_idle_workers();  // a pool's workers pull from the pipe
      const std::size_t i = wait_for_result(ctx, set.workers(), queue.wake_fd());
      if (i == set.workers().size()) {
        own.take(SpanState::Running);
        continue;  // a chunk was pickled: the next round gives it to an idle worker
      }
      Worker& w = set.workers()[i];
      const bool got = receive(w.result_fd, header, payload);
      ctx.throw_if_aborted();
      own.take(unpickle ? SpanState::Pickling : SpanState::Running, w.chunk.front());
      if (!got || header.type != MessageType::Result || header.count != w.chunk.size()) {
        const std::string why = header.type == MessageType::Failure ? std::string(payload.begin(), payload.end()) : "";
        const int status = set.reap(w);
        fail(fmt::format("{} {} (pid {}) of run '{}' {} while running a chunk of {} job{}{}{}", shape.worker_name,
                         i + 1, w.pid, in.run.name, describe_exit(status), w.chunk.size(),
                         w.chunk.size() == 1 ? "" : "s", why.empty() ? "" : ": ", why));
      }
      if (unpickle) {
        volatile unsigned sum = 0;  // unpickling touches every byte
        for (char c : payload) sum = sum + static_cast<unsigned char>(c);
      }
      outstanding -= w.chunk.size();
      ctx.jobs_done().fetch_add(static_cast<int>(w.chunk.size()));
      w.chunk.clear();
      if (!w.queued.empty()) {  // the worker has already read it from its pipe
        w.chunk = std::move(w.queued.front());
        w.queued.pop_front();
      }
      finished = ctx.now();
      own.recorder().state(finished, own.lane(), SpanState::Running);
    }
  };
  // Each process ends (Stop) and sends its records; the parent joins (reaps) it (P8).
  auto join_all = [&] {
    MessageHeader header;
    std::vector<char> payload;
    for (std::size_t i = 0; i < set.workers().size(); ++i) {
      Worker& w = set.workers()[i];
      while (!ctx.wait_readable(w.result_fd, Time{20'000'000})) {
      }
      std::optional<Time> waited;
      if (!receive(w.result_fd, header, payload) || header.type != MessageType::Records ||
          !decode_records(payload, header.count, out.records, waited)) {
        const int status = set.reap(w);
        fail(fmt::format("{} {} (pid {}) of run '{}' {} before sending its records", shape.worker_name, i + 1,
                         w.pid, in.run.name, describe_exit(status)));
      }
      ctx.count_waits_for_core(waited);
      const int status = set.reap(w);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fail(fmt::format("{} {} (pid {}) of run '{}' {}", shape.worker_name, i + 1, w.pid, in.run.name,
                         describe_exit(status)));
      }
    }
  };

  auto main_body = [&](GilSeat& seat) {
    seat.take(SpanState::Running);
    if (shape.one_per_job) {
      // for job in jobs: Process(target=job).start(): each start paid by the parent, one
      // after another (P4); the child runs its one job and ends.
      for (int k = 0; k < worker_count; ++k) {
        Worker& w = start_worker(seat, k);
        give(w, pickle_chunk(seat, static_cast<std::size_t>(k)));
        send(w.task_fd, MessageType::Stop, 0, {});
      }
      // for p in processes: p.join().
      collect_results(seat, false);
      seat.drop(DropReason::Idle);
      join_all();
      finished = ctx.now();
      return;
    }
    // P4: Pool() starts every worker before map() sends anything (as the executor does with fork).
    for (int k = 0; k < worker_count; ++k) start_worker(seat, k);
    // Pool()'s handler threads start with Thread.start(), each waiting for the new thread's
    // bootstrap (T1a, P4b); the executor's manager thread is started without waiting (P9).
    const auto start_handler = [&](std::size_t index, auto body) {
      if (shape.task_handler) {
        group.start_and_wait(index, seat, main_index, body);
      } else {
        group.start(index, main_index, body);
      }
    };
    start_handler(result_handler, [&](GilSeat& own) {
      own.take(SpanState::Running);
      collect_results(own, true);
      own.drop(DropReason::Exit);
    });
    if (shape.task_handler) {
      // map(): the task handler pickles chunks of Pool.map's chunksize (P5) for the workers.
      start_handler(task_handler, [&](GilSeat& own) {
        own.take(SpanState::Running);
        for (std::size_t first = 0; first < in.jobs.size(); first += static_cast<std::size_t>(chunksize)) {
          ChunkQueue::Pickled chunk = pickle_chunk(own, first);
          // put()'s write to the pipe is made without the GIL (G7, P7): the result handler may
          // take it there, between two chunks, and a drop request is answered.
          own.drop(DropReason::Blocking, SpanState::Native, chunk.jobs.front());
          queue.push(std::move(chunk));
          own.take(SpanState::Running);
        }
        own.drop(DropReason::Exit);
      });
    }
    // The result is awaited without the GIL; leaving the with-block ends the workers.
    seat.drop(DropReason::Idle);
    group.join_and_rethrow();
    for (Worker& w : set.workers()) send(w.task_fd, MessageType::Stop, 0, {});
    join_all();
  };
  try {
    group.run_here(main_index, main_body);
  } catch (const RunAborted&) {
    group.join_and_rethrow();  // a handler's failure (a dead worker) says more than the abort
    throw;
  }
  ExecutorOutput parent = group.finish();
  append_records(out.records, parent.records);
  out.end = finished;
  return out;
}

}  // namespace

ExecutorOutput run_process_pool(RunInputs& in) {
  return run_worker_processes(in, ProcessShape{"worker", false, "result handler", true});
}

ExecutorOutput run_processes(RunInputs& in) {
  return run_worker_processes(in, ProcessShape{"process", true, nullptr, false});
}

ExecutorOutput run_process_pool_executor(RunInputs& in) {
  return run_worker_processes(in, ProcessShape{"worker", false, "executor manager", false});
}

}  // namespace gilsim::real

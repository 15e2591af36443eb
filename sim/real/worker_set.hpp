// A process pool's worker processes: started by fork or spawn, each with a task pipe and
// a result pipe; killed on abort and always reaped.
#pragma once

#include <algorithm>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <sys/types.h>

#include "sim/real/run_context.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace.hpp"

namespace gilsim::real {

/// SIGKILL, now.
void kill_now(pid_t pid);

/// The pids of a run's live workers, shared with the abort hook.
struct ChildRegistry {
  std::mutex mutex;
  std::vector<pid_t> live;

  void add(pid_t pid) {
    std::lock_guard lock(mutex);
    live.push_back(pid);
  }
  void kill_all() {
    std::lock_guard lock(mutex);
    for (pid_t pid : live) kill_now(pid);
  }
  void reaped(pid_t pid) {
    std::lock_guard lock(mutex);
    live.erase(std::remove(live.begin(), live.end(), pid), live.end());
  }
};

struct Worker {
  pid_t pid = -1;
  int task_fd = -1;    ///< parent writes
  int result_fd = -1;  ///< parent reads
  trace::LaneId lane = trace::kNone;
  std::vector<std::uint32_t> chunk;  ///< jobs in flight
  /// Chunks written to its pipe behind `chunk`, which it reads as soon as it sends chunk's
  /// results: ProcessPoolExecutor's call queue (P9), kept per worker.
  std::deque<std::vector<std::uint32_t>> queued;
  bool reaped = false;
};

/// A process pool's worker processes. Whatever happens (an abort, an exception, the end),
/// every one is killed if still alive and reaped: no zombie, no orphan.
class WorkerSet {
 public:
  explicit WorkerSet(RunContext& ctx)
      : registry_(std::make_shared<ChildRegistry>()), kill_on_abort_(ctx, [registry = registry_] { registry->kill_all(); }) {}
  ~WorkerSet() { shut_down(); }
  WorkerSet(const WorkerSet&) = delete;
  WorkerSet& operator=(const WorkerSet&) = delete;

  std::vector<Worker>& workers() { return workers_; }

  /// Starts one worker by fork, or by spawn (fork, then exec of this program's own binary,
  /// which becomes a worker before main()). The reference lasts until the next start().
  Worker& start(scenario::StartMethod method, trace::LaneId lane);
  /// Waits for a worker to exit; returns its wait status.
  int reap(Worker& w);
  /// Kills and reaps whatever is still alive; closes every pipe.
  void shut_down();

 private:
  /// In the child: becomes the worker (fork) or execs the binary as one (spawn, with
  /// `environment` prepared before the fork, as a child of a threaded parent must not allocate).
  [[noreturn]] static void become_worker(scenario::StartMethod method, int task_fd, int result_fd, pid_t parent,
                                         char* const* environment);

  std::shared_ptr<ChildRegistry> registry_;
  AbortHook kill_on_abort_;
  std::vector<Worker> workers_;
};

/// "exited with status 3", "was killed by signal 9 (Killed)".
std::string describe_exit(int status);

}  // namespace gilsim::real

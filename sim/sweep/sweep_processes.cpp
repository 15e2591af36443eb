// Forked sweep workers, started once per sweep: each has the parsed scenario from before
// the fork. Parent to worker: a batch of consecutive tasks {first, count} per message, large
// at first and single tasks at the end; worker to parent: {first, count, status, length}
// then the batch's RunFigures, or an error's text. Batches keep the pipes' share of the work
// small when tasks are short.
#include "sim/sweep/sweep_processes.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "sim/real/pool_protocol.hpp"
#include "sim/scenario/loader.hpp"

namespace gilsim::sweep {

namespace {

using real::pool::read_all;
using real::pool::write_all;

static_assert(std::is_trivially_copyable_v<RunFigures>, "figures travel between processes as bytes");
// No padding between fields: the same figures are the same bytes (gilsim_sweep_bench compares them).
static_assert(sizeof(RunFigures) == 11 * 8, "RunFigures without padding");

struct Batch {
  std::uint32_t first = 0;
  std::uint32_t count = 0;
};

/// Why a batch failed, so that the parent throws what the task threw.
constexpr std::uint32_t kScenarioError = 1;
constexpr std::uint32_t kRefused = 2;

struct ResultHeader {
  Batch batch;
  std::uint32_t failed = 0;  ///< kScenarioError or kRefused: the payload is an error message
  std::uint32_t bytes = 0;
};

/// Tasks in the next message: a quarter of each worker's share of what is left, so batches
/// shrink to single tasks as the sweep ends and the workers finish together; at most 64, so
/// that the progress bar moves.
std::uint32_t batch_size(std::size_t tasks_left, int workers) {
  const std::size_t share = tasks_left / (static_cast<std::size_t>(workers) * 4);
  return static_cast<std::uint32_t>(std::clamp<std::size_t>(share, 1, 64));
}

/// The worker's whole life: batches in, figures out, until the task pipe closes.
[[noreturn]] void serve(const SweepPlan& plan, int task_fd, int result_fd) {
  Batch batch;
  std::string payload;
  while (read_all(task_fd, &batch, sizeof batch)) {
    ResultHeader header{batch, 0, 0};
    payload.clear();
    try {
      for (std::uint32_t task = batch.first; task < batch.first + batch.count; ++task) {
        const auto figures = simulate_task(plan, task);
        payload.append(reinterpret_cast<const char*>(figures.data()), figures.size() * sizeof(RunFigures));
      }
    } catch (const SweepRefused& e) {
      header.failed = kRefused;
      payload = e.what();
    } catch (const std::exception& e) {
      header.failed = kScenarioError;
      payload = e.what();
    } catch (...) {
      header.failed = kScenarioError;
      payload = "a sweep task failed";
    }
    header.bytes = static_cast<std::uint32_t>(payload.size());
    if (!write_all(result_fd, &header, sizeof header) || !write_all(result_fd, payload.data(), payload.size())) break;
  }
  ::_exit(0);  // not exit(): the parent's buffered output must not be flushed twice
}

struct Worker {
  pid_t pid = -1;
  int task_fd = -1;    ///< parent writes
  int result_fd = -1;  ///< parent reads
  bool busy = false;
};

/// Owns the workers: whatever ends the sweep, each one is killed if alive and reaped.
class Workers {
 public:
  ~Workers() { stop_all(); }

  explicit Workers(const SweepPlan& plan, int count) {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ignore, &old_sigpipe_);  // a dead worker's pipe fails a write instead
    try {
      start(plan, count);
    } catch (...) {
      stop_all();  // a destructor does not run for a constructor that throws
      throw;
    }
  }

 private:
  void start(const SweepPlan& plan, int count) {
    const pid_t parent = ::getpid();
    list_.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
      int tasks[2], results[2];
      if (::pipe2(tasks, O_CLOEXEC) != 0) fail("pipe");
      if (::pipe2(results, O_CLOEXEC) != 0) {
        ::close(tasks[0]);
        ::close(tasks[1]);
        fail("pipe");
      }
      const pid_t pid = ::fork();
      if (pid < 0) {
        for (int fd : {tasks[0], tasks[1], results[0], results[1]}) ::close(fd);
        fail("fork");
      }
      if (pid == 0) {
        // Ctrl-C at the terminal reaches the whole group: a worker just stops; and it
        // never outlives its parent.
        std::signal(SIGINT, SIG_DFL);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(1);
        for (const Worker& other : list_) {
          ::close(other.task_fd);
          ::close(other.result_fd);
        }
        ::close(tasks[1]);
        ::close(results[0]);
        serve(plan, tasks[0], results[1]);
      }
      ::close(tasks[0]);
      ::close(results[1]);
      list_.push_back(Worker{pid, tasks[1], results[0], false});
    }
  }

  /// Kills every worker still alive, reaps it, and puts SIGPIPE back.
  void stop_all() {
    for (Worker& w : list_) {
      close_fd(w.task_fd);
      close_fd(w.result_fd);
      if (w.pid > 0) {
        ::kill(w.pid, SIGKILL);
        while (::waitpid(w.pid, nullptr, 0) < 0 && errno == EINTR) {
        }
        w.pid = -1;
      }
    }
    ::sigaction(SIGPIPE, &old_sigpipe_, nullptr);
  }

 public:
  std::vector<Worker>& list() { return list_; }

  /// Closes the task pipe (the worker then exits) and reaps it.
  void finish(Worker& w) {
    close_fd(w.task_fd);
    close_fd(w.result_fd);
    int status = 0;
    while (::waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
    }
    w.pid = -1;
  }

  [[noreturn]] static void fail(const char* what) {
    throw std::runtime_error(fmt::format("cannot start a sweep worker ({}: {})", what, std::strerror(errno)));
  }

 private:
  static void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }

  std::vector<Worker> list_;
  struct sigaction old_sigpipe_ {};
};

/// Why a worker stopped answering, for the error message; reaps it when it has exited.
std::string death_of(Worker& w);

/// A worker that stopped answering: Ctrl-C at a terminal stops the workers too, and then
/// the sweep was cancelled rather than broken.
[[noreturn]] void lost(Worker& w, const std::atomic<bool>* cancel) {
  if (cancel != nullptr && cancel->load()) throw SweepCancelled();
  const pid_t pid = w.pid;
  const std::string why = death_of(w);
  throw std::runtime_error(fmt::format("a sweep worker (pid {}) {}", pid, why));
}

std::string death_of(Worker& w) {
  // Its pipe closes as it exits: give the kernel a moment to say how it ended.
  int status = 0;
  for (int tries = 0; tries < 200; ++tries) {
    if (::waitpid(w.pid, &status, WNOHANG) == w.pid) {
      w.pid = -1;
      if (WIFSIGNALED(status)) {
        return fmt::format("killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
      }
      return fmt::format("exited with status {} without its results", WEXITSTATUS(status));
    }
    ::usleep(1000);
  }
  return "stopped answering";
}

}  // namespace

SweepResult run_sweep_in_processes(const SweepPlan& plan, int workers, const std::atomic<bool>* cancel,
                                   const SweepProgress& progress) {
  const std::size_t tasks = plan.tasks();
  const std::size_t runs = plan.runs.size();
  SweepResult result{runs, plan.seeds, std::vector<RunFigures>(tasks * runs)};
  const int count = static_cast<int>(std::min<std::size_t>(tasks, static_cast<std::size_t>(std::max(workers, 1))));
  if (count == 0) return result;
  const auto cancelled = [&] { return cancel != nullptr && cancel->load(); };
  if (cancelled()) throw SweepCancelled();
  Workers pool(plan, count);

  std::size_t next = 0;
  std::size_t done = 0;
  const auto hand_out = [&](Worker& w) {
    if (next == tasks) {
      pool.finish(w);
      return;
    }
    const Batch batch{static_cast<std::uint32_t>(next), batch_size(tasks - next, count)};
    next += batch.count;
    if (!write_all(w.task_fd, &batch, sizeof batch)) lost(w, cancel);
    w.busy = true;
  };
  for (Worker& w : pool.list()) hand_out(w);

  std::vector<pollfd> polled;
  std::vector<Worker*> owners;
  while (done < tasks) {
    if (cancelled()) throw SweepCancelled();
    polled.clear();
    owners.clear();
    for (Worker& w : pool.list()) {
      if (w.pid > 0 && w.busy) {
        polled.push_back(pollfd{w.result_fd, POLLIN, 0});
        owners.push_back(&w);
      }
    }
    const int ready = ::poll(polled.data(), polled.size(), 100);  // wakes to look at `cancel`
    if (ready < 0 && errno != EINTR) throw std::runtime_error(fmt::format("poll: {}", std::strerror(errno)));
    for (std::size_t i = 0; ready > 0 && i < polled.size(); ++i) {
      if (polled[i].revents == 0) continue;
      Worker& w = *owners[i];
      ResultHeader header;
      if (!read_all(w.result_fd, &header, sizeof header)) lost(w, cancel);
      std::string payload(header.bytes, '\0');
      if (!read_all(w.result_fd, payload.data(), payload.size())) lost(w, cancel);
      if (header.failed == kRefused) throw SweepRefused(payload);
      if (header.failed != 0) throw scenario::ScenarioError(scenario::SourceLoc{}, payload);
      const Batch& batch = header.batch;
      if (batch.first >= tasks || batch.count > tasks - batch.first ||
          payload.size() != batch.count * runs * sizeof(RunFigures)) {
        throw std::runtime_error("a sweep worker sent a malformed result");
      }
      std::memcpy(&result.figures[batch.first * runs], payload.data(), payload.size());
      w.busy = false;
      done += batch.count;
      if (progress) progress(done, tasks);
      hand_out(w);
    }
  }
  return result;
}

}  // namespace gilsim::sweep

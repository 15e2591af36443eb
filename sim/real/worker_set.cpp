// Starting, killing and reaping a process pool's workers.
#include "sim/real/worker_set.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/real/pool_worker.hpp"

namespace gilsim::real {

using namespace pool;

void kill_now(pid_t pid) { ::kill(pid, SIGKILL); }

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("was killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  return "stopped";
}

Worker& WorkerSet::start(scenario::StartMethod method, trace::LaneId lane) {
  int task[2];
  int result[2];
  if (pipe2(task, O_CLOEXEC) != 0) throw std::runtime_error(fmt::format("pipe: {}", std::strerror(errno)));
  if (pipe2(result, O_CLOEXEC) != 0) {
    close(task[0]);
    close(task[1]);
    throw std::runtime_error(fmt::format("pipe: {}", std::strerror(errno)));
  }
  // spawn: the child's environment names its two pipes; built here, before the fork.
  std::string worker_variable = fmt::format("{}={},{}", kWorkerEnvironment, task[0], result[1]);
  std::vector<char*> environment;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) environment.push_back(*e);
  environment.push_back(worker_variable.data());
  environment.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    for (int fd : {task[0], task[1], result[0], result[1]}) close(fd);
    throw std::runtime_error(fmt::format("fork: {}", std::strerror(errno)));
  }
  if (pid == 0) become_worker(method, task[0], result[1], parent, environment.data());
  registry_->add(pid);
  close(task[0]);
  close(result[1]);
  workers_.push_back(Worker{pid, task[1], result[0], lane, {}, {}, false});
  return workers_.back();
}

int WorkerSet::reap(Worker& w) {
  int status = 0;
  while (waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
  }
  w.reaped = true;
  registry_->reaped(w.pid);
  return status;
}

void WorkerSet::shut_down() {
  for (Worker& w : workers_) {
    if (w.task_fd >= 0) close(w.task_fd);
    w.task_fd = -1;
    if (!w.reaped) {
      ::kill(w.pid, SIGKILL);
      reap(w);
    }
    if (w.result_fd >= 0) close(w.result_fd);
    w.result_fd = -1;
  }
}

void WorkerSet::become_worker(scenario::StartMethod method, int task_fd, int result_fd, pid_t parent,
                              char* const* environment) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(1);
  if (method == scenario::StartMethod::Spawn) {
    // A fresh program image: only the two pipes survive exec.
    fcntl(task_fd, F_SETFD, 0);
    fcntl(result_fd, F_SETFD, 0);
    char name[] = "gilsim-worker";
    char argument[64];
    std::snprintf(argument, sizeof(argument), "%s", kWorkerArgument);
    char* argv[] = {name, argument, nullptr};
    execve("/proc/self/exe", argv, environment);
    _exit(127);
  }
  // fork: close every other descriptor (other workers' pipes), keep stdio and ours.
  const int low = std::min(task_fd, result_fd);
  const int high = std::max(task_fd, result_fd);
  if (low > 3) close_range(3, static_cast<unsigned>(low - 1), 0);
  if (high > low + 1) close_range(static_cast<unsigned>(low + 1), static_cast<unsigned>(high - 1), 0);
  close_range(static_cast<unsigned>(high + 1), ~0U, 0);
  _exit(run_pool_worker(task_fd, result_fd));
}

}  // namespace gilsim::real

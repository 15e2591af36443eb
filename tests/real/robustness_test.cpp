// A real run that times out, is cancelled, is interrupted or loses a worker stops promptly,
// throws RealRunError and leaves no thread or process behind.
#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include "real_test_support.hpp"
#include "sim/real/execute.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::real::testing;
using scenario::Executor;
using Reason = real::RealRunError::Reason;

namespace {
/// Runs `run` expecting a RealRunError; returns its reason and how long execute() took.
std::pair<Reason, double> run_expecting_error(const scenario::Scenario& s, const scenario::Run& run,
                                              const real::ExecuteOptions& options) {
  const auto began = std::chrono::steady_clock::now();
  try {
    real::execute(s, run, options);
  } catch (const real::RealRunError& e) {
    MESSAGE(std::string(e.what()));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    return {e.reason(), seconds};
  }
  FAIL("the run should have failed");
  return {Reason::SystemError, 0};
}

/// Four jobs that each sleep 25 s after their first 20 ms: a run that waited for a sleep to
/// end before it stopped would take 25 s at least (one after another, 104 s: under the real
/// runs' limit of 120 s).
scenario::Scenario long_scenario() {
  return make_scenario({make_job("slow", 4, {cpu(20_ms), sleep(25_s), io(1_s)})});
}

/// Promptly: well before any of long_scenario()'s sleeps could have ended, not a time a
/// loaded machine keeps to. At load 16 (three busy loops at nice -10 coming and going) a
/// process run took 7.6 s from its start to its stop, its worker processes' starts included.
constexpr double kPromptSeconds = 15.0;
}  // namespace

TEST_CASE("a run that outlives its timeout stops every thread and worker") {
  real::ExecuteOptions options;
  options.timeout = 300_ms;
  for (Executor e : {Executor::Sequential, Executor::Threads, Executor::ThreadPool, Executor::Asyncio,
                     Executor::ProcessPool, Executor::Processes, Executor::ProcessPoolExecutor}) {
    CAPTURE(scenario::to_string(e));
    auto run = make_run(e);
    run.workers = 2;
    const auto [reason, seconds] = run_expecting_error(long_scenario(), run, options);
    CHECK(reason == Reason::TimedOut);
    CHECK(seconds < kPromptSeconds);
    CHECK(children_of_this_process() == 0);
  }
}

TEST_CASE("a cancel flag set from another thread stops a run promptly") {
  std::atomic<bool> cancel{false};
  real::ExecuteOptions options;
  options.cancel = &cancel;
  // Once the three workers run (however long a slow machine takes to start them), not after
  // a guessed time: the cancel then always has workers to stop.
  bool workers_seen = false;
  std::chrono::steady_clock::time_point cancelled_at;
  std::thread canceller([&] {
    workers_seen = wait_for_children(3);
    cancelled_at = std::chrono::steady_clock::now();
    cancel = true;
  });
  auto run = make_run(Executor::ProcessPool);
  run.workers = 3;
  const Reason reason = run_expecting_error(long_scenario(), run, options).first;
  canceller.join();
  CHECK(workers_seen);
  CHECK(reason == Reason::Cancelled);
  CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - cancelled_at).count() < kPromptSeconds);
  CHECK(children_of_this_process() == 0);
}

TEST_CASE("Ctrl-C (SIGINT) through the installed handler interrupts a run") {
  struct sigaction before {};
  ::sigaction(SIGINT, nullptr, &before);
  {
    const real::InterruptScope scope;
    real::ExecuteOptions options;
    options.cancel = &real::interrupt_flag();
    for (Executor e : {Executor::ProcessPool, Executor::Processes, Executor::ProcessPoolExecutor}) {
      CAPTURE(scenario::to_string(e));
      real::interrupt_flag() = false;
      // Once both workers run, however long a slow machine takes to spawn them.
      bool workers_seen = false;
      std::chrono::steady_clock::time_point interrupted_at;
      std::thread interrupter([&] {
        workers_seen = wait_for_children(2);
        interrupted_at = std::chrono::steady_clock::now();
        ::kill(::getpid(), SIGINT);
      });
      auto run = make_run(e);
      run.workers = 2;
      run.start_method = scenario::StartMethod::Spawn;
      const Reason reason = run_expecting_error(long_scenario(), run, options).first;
      interrupter.join();
      CHECK(workers_seen);
      CHECK(reason == Reason::Cancelled);
      CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - interrupted_at).count() < kPromptSeconds);
      CHECK(children_of_this_process() == 0);
    }
  }
  // The scope gave SIGINT back as it was: Ctrl-C after a run stops the program.
  struct sigaction after {};
  ::sigaction(SIGINT, nullptr, &after);
  const bool restored = after.sa_handler == before.sa_handler;
  CHECK(restored);
}

TEST_CASE("a worker that dies fails the run with a clear message and no orphans") {
  real::ExecuteOptions options;
  std::atomic<bool> killed{false};
  options.progress = [&](int, int) {
    // On the calling thread, while the run goes on: kill one worker.
    if (!killed) {
      for (pid_t child : child_pids_of_this_process()) {
        ::kill(child, SIGKILL);
        killed = true;
        break;
      }
    }
  };
  for (Executor e : {Executor::ProcessPool, Executor::Processes, Executor::ProcessPoolExecutor}) {
    CAPTURE(scenario::to_string(e));
    killed = false;
    auto run = make_run(e);
    run.workers = 2;
    const auto [reason, seconds] = run_expecting_error(long_scenario(), run, options);
    CHECK(killed);
    CHECK(reason == Reason::WorkerFailed);
    CHECK(seconds < kPromptSeconds);
    CHECK(children_of_this_process() == 0);
  }
}

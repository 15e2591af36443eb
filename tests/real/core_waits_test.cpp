// The kernel's count of a thread's waits for a core (run_delay in /proc/thread-self/schedstat):
// read right, grows while the thread is kept off its core, and filled in every executor's run.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <thread>
#include <vector>

#include <pthread.h>
#include <sched.h>

#include "real_test_support.hpp"
#include "sim/real/busy_loop.hpp"
#include "sim/real/core_waits.hpp"
#include "sim/real/execute.hpp"
#include "sim/real/machine_load.hpp"
#include "sim/real/pool_protocol.hpp"

using namespace gilsim;
using namespace gilsim::real::testing;

namespace {

bool kernel_counts_waits() { return std::filesystem::exists("/proc/thread-self/schedstat"); }

bool pin_to(std::thread& t, int cpu) {
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  return pthread_setaffinity_np(t.native_handle(), sizeof(one), &one) == 0;
}

Time thread_cpu_time() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return Time{static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec};
}

}  // namespace

TEST_CASE("run_delay is schedstat's second field") {
  CHECK(real::parse_schedstat("3932451 750499 2\n") == Time{750'499});
  CHECK(real::parse_schedstat("  12 34 5") == Time{34});
  CHECK_FALSE(real::parse_schedstat("3932451\n"));
  CHECK_FALSE(real::parse_schedstat(""));
}

TEST_CASE("a worker's records carry its waits for a core through the pipe") {
  std::vector<real::Record> records(3);
  records[1].at_ns = 42;
  std::vector<real::Record> got;
  std::optional<Time> waited;
  REQUIRE(real::pool::decode_records(real::pool::encode_records(records, Time{1'234}), 3, got, waited));
  CHECK(got.size() == 3);
  CHECK(got[1].at_ns == 42);
  CHECK(waited == Time{1'234});
  REQUIRE(real::pool::decode_records(real::pool::encode_records({}, std::nullopt), 0, got, waited));
  CHECK_FALSE(waited);  // the kernel kept no count: the run's waits are not measured
  CHECK_FALSE(real::pool::decode_records(real::pool::encode_records(records, Time{1}), 2, got, waited));
}

TEST_CASE("a thread kept off its core by two busy threads on its CPU counts its waits") {
  if (!kernel_counts_waits()) return;  // no schedstat in this kernel: nothing to count
  const int cpu = first_allowed_cpu();
  std::atomic<bool> stop{false};
  std::vector<std::thread> busy;
  for (int i = 0; i < 2; ++i) {
    busy.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) real::spin(100'000);
    });
  }
  std::optional<Time> before, after;
  Time ran;
  std::thread measured([&] {
    before = real::thread_run_delay();
    // 30 ms of CPU of its own, on a CPU it shares with two busy threads: about 60 ms of waits.
    const Time start = thread_cpu_time();
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (thread_cpu_time() - start < Time{30'000'000} && std::chrono::steady_clock::now() < give_up) {
      real::spin(10'000);
    }
    ran = thread_cpu_time() - start;
    after = real::thread_run_delay();
  });
  bool pinned = pin_to(measured, cpu);
  for (std::thread& t : busy) pinned = pin_to(t, cpu) && pinned;
  measured.join();
  stop = true;
  for (std::thread& t : busy) t.join();
  REQUIRE(pinned);
  REQUIRE(before);
  REQUIRE(after);
  CAPTURE(ran);
  CAPTURE(*after - *before);
  // Generous: a third of the waits its two neighbours' fair shares make.
  CHECK(*after - *before >= Time{20'000'000});
}

TEST_CASE("every executor's run counts its threads' and processes' waits for a core") {
  if (!kernel_counts_waits()) return;
  using scenario::Executor;
  for (const Executor e : {Executor::Sequential, Executor::Threads, Executor::ThreadPool, Executor::Asyncio,
                           Executor::ProcessPool, Executor::Processes, Executor::ProcessPoolExecutor}) {
    CAPTURE(scenario::to_string(e));
    auto s = make_scenario({make_job("job", 3, {cpu(Time{1'000'000}), sleep(Time{1'000'000})})}, 2);
    const trace::Trace t = real::execute(s, make_run(e));
    CHECK(t.cpu_check.waits_measured);
    CHECK(t.cpu_check.waited_for_core >= Time::zero());
    CHECK(real::core_shortfall(t).measured);
  }
}

TEST_CASE("a job's peer process sends its waits for a core back with its records") {
  if (!kernel_counts_waits()) return;
  scenario::Step ask = io(Time{1'000'000});
  ask.answer = Time{1'000'000};
  auto s = make_scenario({make_job("client", 2, {cpu(Time{1'000'000}), ask})}, 2);
  const trace::Trace t = real::execute(s, make_run(scenario::Executor::Threads));
  CHECK(t.cpu_check.waits_measured);
}

TEST_CASE("two worker processes on the run's one CPU send back the waits each made the other's") {
  if (!kernel_counts_waits()) return;
  // cores = 1: both workers are pinned to the run's one CPU, each waits while the other computes.
  auto s = make_scenario({make_job("crunch", 2, {cpu(Time{100'000'000})})}, 1);
  scenario::Run run = make_run(scenario::Executor::ProcessPool);
  run.workers = 2;
  run.chunksize = 1;
  const Pace pace;
  const trace::Trace t = real::execute(s, run);
  INFO(pace.figures());
  REQUIRE(t.cpu_check.waits_measured);
  CAPTURE(t.cpu_check.waited_for_core);
  CAPTURE(t.cpu_check.own_waits);
  CHECK(t.cpu_check.waited_for_core >= pace.least(Time{100'000'000}));
}

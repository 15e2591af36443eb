// Measures how long a thread blocked on a futex takes to run after another CPU wakes it,
// as a function of how long the waiter's CPU sat idle first (docs/model.md G8).
// Two threads pinned to CPUs 0 and 1; the waker spins for the idle gap after the waiter
// blocked, stamps the time, wakes it; the waiter stamps the time it runs. Figures only.
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "bench_arguments.hpp"

namespace {

std::int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

long futex(std::atomic<int>* word, int op, int value) {
  return syscall(SYS_futex, reinterpret_cast<int*>(word), op, value, nullptr, nullptr, 0);
}

struct Shared {
  std::atomic<int> word{0};        // 0: the waiter should block; 1: woken
  std::atomic<int> waiting{0};     // the waiter is about to block
  std::atomic<std::int64_t> woke_at{0};
  std::atomic<bool> stop{false};
};

void waiter(Shared& s) {
  pin(1);
  while (!s.stop.load()) {
    s.word.store(0);
    s.waiting.store(1);
    while (s.word.load() == 0) futex(&s.word, FUTEX_WAIT_PRIVATE, 0);
    // Lower the flag before publishing the stamp: the other way round, a waker that reads the
    // stamp first saw the old flag, woke no one, and this thread's next word.store(0) erased
    // the wake, so both waited for ever (a hang seen on a loaded machine).
    const std::int64_t woke = now_ns();
    s.waiting.store(0);
    s.woke_at.store(woke);
    while (s.woke_at.load() != 0 && !s.stop.load()) {  // the waker reads the stamp
    }
  }
}

std::int64_t percentile(std::vector<std::int64_t>& v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

// A nice-0 thread spinning on CPU 1: the waiter's core is busy, not idle.
void spinner(const std::atomic<bool>& stop) {
  pin(1);
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 0);
  while (!stop.load()) {
  }
}

}  // namespace

constexpr const char* kUsage =
    "usage: gilsim_wake_probe [SAMPLES] [--busy]\n"
    "Wakes a futex waiter on CPU 1 from CPU 0 SAMPLES times per idle gap (1 to 100000, default\n"
    "300) and prints the wake-up latency's percentiles; --busy: a spinning thread keeps CPU 1 busy.\n";

int main(int argc, char** argv) {
  int samples = 300;
  bool busy = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") gilsim::bench::print_usage(kUsage);
    if (arg == "--busy") {
      busy = true;
    } else if (const auto n = gilsim::bench::whole_number(arg, 1, 100000)) {
      samples = static_cast<int>(*n);
    } else {
      gilsim::bench::refuse("gilsim_wake_probe", "unknown argument '" + arg + "'; expected a number of samples from 1 to 100000 or --busy",
                            kUsage);
    }
  }
  std::atomic<bool> stop_spin{false};
  std::thread spin;
  if (busy) spin = std::thread(spinner, std::cref(stop_spin));
  const std::vector<std::int64_t> gaps_ns = {0, 10'000, 50'000, 200'000, 1'000'000, 5'000'000};
  Shared s;
  std::thread w(waiter, std::ref(s));
  pin(0);
  std::printf("# futex wake of a thread on CPU 1 from CPU 0, after CPU 1 idled for the gap%s\n", busy ? " (CPU 1 busy with a nice-0 spinner)" : "");
  std::printf("%10s %8s %10s %10s %10s %10s\n", "idle_gap", "samples", "p10_us", "median_us", "p90_us", "max_us");
  for (std::int64_t gap : gaps_ns) {
    std::vector<std::int64_t> lat;
    for (int i = 0; i < samples + 5; ++i) {
      while (s.waiting.load() == 0) {
      }
      // The waiter blocks within a microsecond or so of raising the flag.
      const std::int64_t start = now_ns();
      while (now_ns() - start < gap + 2'000) {
      }
      const std::int64_t t0 = now_ns();
      s.word.store(1);
      futex(&s.word, FUTEX_WAKE_PRIVATE, 1);
      std::int64_t t1 = 0;
      while ((t1 = s.woke_at.load()) == 0) {
      }
      s.woke_at.store(0);
      if (i >= 5) lat.push_back(t1 - t0);
    }
    const auto p10 = percentile(lat, 0.10), p50 = percentile(lat, 0.5), p90 = percentile(lat, 0.9);
    std::printf("%8.0fus %8d %10.1f %10.1f %10.1f %10.1f\n", static_cast<double>(gap) / 1e3, samples,
                static_cast<double>(p10) / 1e3, static_cast<double>(p50) / 1e3, static_cast<double>(p90) / 1e3,
                static_cast<double>(lat.back()) / 1e3);
  }
  s.stop.store(true);
  s.word.store(1);
  futex(&s.word, FUTEX_WAKE_PRIVATE, 1);
  w.join();
  stop_spin.store(true);
  if (spin.joinable()) spin.join();
}

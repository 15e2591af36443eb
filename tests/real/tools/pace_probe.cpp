// How far the busy loop's pace drifts between its calibration and the work timed by it
// (docs/performance.md, "The busy loop's pace"): calibrates as a real run does, spins
// `work_ms` of work at that calibration, calibrates again, and prints, over `reps` rounds
// `gap_ms` apart, the pace after over before, the work's CPU time over its nominal time, and
// that over the least time the real-run tests allow (tests/real/real_test_support.hpp,
// Pace::least, which takes a quarter of it; 90% until a shared host's pace was seen to move
// 2x): a figure under 1 there would fail a test.
//
//   gilsim_pace_probe [reps=100] [gap_ms=5] [work_ms=20]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "sim/real/busy_loop.hpp"

namespace {

double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

void print(std::vector<double> v, const char* name) {
  std::sort(v.begin(), v.end());
  const auto at = [&](double q) { return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))]; };
  std::printf("%-34s min %.3f  p1 %.3f  p10 %.3f  median %.3f  p90 %.3f  max %.3f\n", name, v.front(), at(0.01),
              at(0.1), at(0.5), at(0.9), v.back());
}

}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 100;
  const int gap_ms = argc > 2 ? std::max(0, std::atoi(argv[2])) : 5;
  const int work_ms = argc > 3 ? std::max(1, std::atoi(argv[3])) : 20;
  using namespace gilsim;
  std::vector<double> drift, raw, allowed;
  for (int r = 0; r < reps; ++r) {
    std::this_thread::sleep_for(std::chrono::milliseconds(gap_ms));
    const double before = real::measure_iterations_per_ns();
    const double nominal = work_ms * 1e6;
    const auto n = real::iterations_for(Time{static_cast<std::int64_t>(nominal)}, before);
    const double began = thread_cpu_ns();
    real::spin(n);
    const double cpu = thread_cpu_ns() - began;
    const double after = real::measure_iterations_per_ns();
    drift.push_back(after / before);
    raw.push_back(cpu / nominal);
    allowed.push_back(cpu / (0.25 * nominal * before / std::max(before, after)));
  }
  std::printf("%d rounds %d ms apart, %d ms of work each\n", reps, gap_ms, work_ms);
  print(drift, "pace after / before");
  print(raw, "CPU time / nominal");
  for (double& x : raw) x /= 0.9;
  print(raw, "CPU time / (nominal x 0.9)");
  print(allowed, "CPU time / least allowed");
  return 0;
}

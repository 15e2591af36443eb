// The busy loop and its calibration.
#include "sim/real/busy_loop.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>
#include <vector>

namespace gilsim::real {

void spin(std::uint64_t iterations) {
  std::uint64_t x = iterations | 1;
  for (std::uint64_t i = 0; i < iterations; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    asm volatile("" : "+r"(x));  // keep every iteration
  }
}

namespace {
std::atomic<double> pinned{0.0};  // 0: none
}  // namespace

PinnedCalibration::PinnedCalibration(double iterations_per_ns) { pinned.store(iterations_per_ns); }
PinnedCalibration::~PinnedCalibration() { pinned.store(0.0); }

double calibrate_iterations_per_ns() {
  const double p = pinned.load();
  return p > 0 ? p : measure_iterations_per_ns();
}

double measure_iterations_per_ns() {
  using Clock = std::chrono::steady_clock;
  constexpr std::uint64_t kTrial = 400'000;
  double best_ns = 1e18;
  spin(kTrial);  // warm up the core's frequency and caches
  for (int trial = 0; trial < 7; ++trial) {
    const auto begin = Clock::now();
    spin(kTrial);
    const auto ns = std::chrono::duration<double, std::nano>(Clock::now() - begin).count();
    best_ns = std::min(best_ns, ns);
  }
  return static_cast<double>(kTrial) / std::max(1.0, best_ns);
}

double measure_free_cores(int threads, Time work) {
  using Clock = std::chrono::steady_clock;
  const std::uint64_t n = iterations_for(work, measure_iterations_per_ns());
  const auto began = Clock::now();
  std::vector<std::thread> others;
  for (int i = 1; i < threads; ++i) others.emplace_back([n] { spin(n); });
  spin(n);
  for (auto& t : others) t.join();
  const double wall = std::chrono::duration<double, std::nano>(Clock::now() - began).count();
  const double total = static_cast<double>(work.ns()) * threads;
  return std::clamp(total / std::max(1.0, wall), 0.0, static_cast<double>(threads));
}

std::uint64_t iterations_for(Time work, double iterations_per_ns) {
  if (work.ns() <= 0) return 0;
  const double n = std::round(static_cast<double>(work.ns()) * iterations_per_ns);
  return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(n));
}

}  // namespace gilsim::real

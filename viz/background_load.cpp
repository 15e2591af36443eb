// The start-up load on a second thread.
#include "viz/background_load.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

#include "viz/knob_memory.hpp"

namespace gilsim::viz {

namespace {

constexpr std::size_t kPageBytes = 4096;

/// Minor page faults of this process but this thread's, so far.
long minor_faults_of_others() {
  rusage process{}, thread{};
  getrusage(RUSAGE_SELF, &process);
  getrusage(RUSAGE_THREAD, &thread);
  return process.ru_minflt - thread.ru_minflt;
}

double seconds_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

BackgroundLoad::BackgroundLoad(AppState& app, std::filesystem::path file)
    : keeps_freed_memory_(keep_freed_memory_for_knob_changes()),
      others_faults_at_start_(minor_faults_of_others()),
      thread_([this, &app, file = std::move(file)] {
        const auto started = std::chrono::steady_clock::now();
        loaded_ = app.session.open(file);
        const auto opened = std::chrono::steady_clock::now();
        if (loaded_) refresh_derived(app, &lent_);
        load_seconds_ = seconds_between(started, opened);
        indexing_seconds_ = seconds_between(opened, std::chrono::steady_clock::now());
        lent_.finish();
      }) {}

BackgroundLoad::~BackgroundLoad() {
  if (thread_.joinable()) thread_.join();
}

bool BackgroundLoad::wait() {
  if (thread_.joinable()) {
    lent_.serve([this](const std::atomic<bool>& stop) {
      // With one CPU the warming would take the simulation's: none then (as the trace's
      // pages populated ahead, trace::populator).
      if (!keeps_freed_memory_ || std::thread::hardware_concurrency() < 2) return;
      // In step with the load: a page for each page the other threads faulted in since it
      // began (the simulation's trace, whose size the indices and the frame follow).
      const auto allowance = [this] {
        const long others = minor_faults_of_others() - others_faults_at_start_;
        return static_cast<std::size_t>(std::max(0L, others)) * kPageBytes;
      };
      warmed_bytes_ = warm_this_threads_heap(kWarmBytes, stop, allowance);
    });
    thread_.join();
    indexed_beside_ = lent_.lent() > 0;
  }
  return loaded_;
}

}  // namespace gilsim::viz

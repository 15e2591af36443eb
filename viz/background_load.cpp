// The start-up load on a second thread.
#include "viz/background_load.hpp"

#include <chrono>
#include <utility>

#include "viz/knob_memory.hpp"

namespace gilsim::viz {

namespace {

double seconds_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

BackgroundLoad::BackgroundLoad(AppState& app, std::filesystem::path file)
    : keeps_freed_memory_(keep_freed_memory_for_knob_changes()),
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
      if (keeps_freed_memory_) warmed_bytes_ = warm_this_threads_heap(kWarmBytes, stop);
    });
    thread_.join();
    indexed_beside_ = lent_.lent() > 0;
  }
  return loaded_;
}

}  // namespace gilsim::viz

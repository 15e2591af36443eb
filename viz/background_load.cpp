// The start-up load on a second thread.
#include "viz/background_load.hpp"

#include <exception>
#include <utility>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

#include "sim/scenario/job_plan.hpp"
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

/// The heap the load's reading of a scenario writes (its TOML, its jobs' steps expanded): 2
/// MiB, what the 1 M-span scenario's took (522 pages).
constexpr std::size_t kReadBytes = std::size_t{2} << 20;
/// At most this much a block: malloc gives a block of its threshold (32 MiB, set by
/// keep_freed_memory_for_knob_changes()) or more a mapping of its own, unmapped when freed.
constexpr std::size_t kMostAhead = std::size_t{24} << 20;
/// A smaller block is not worth a thread: its pages fault in within about a millisecond.
constexpr std::size_t kLeastAhead = std::size_t{512} << 10;

/// What the job plan of `s` takes of the heap: each job's planned steps (scenario::plan_jobs)
/// and their durations again, kept for the traces (scenario::TraceJobs). The 1 M-span scenario's
/// 288,000 steps: 11.5 MB, 2,866 pages that the plan's writes faulted in one at a time on the
/// loading thread, which took longer than the planning itself (docs/performance.md, "The 1
/// M-span scenario's first frame, round 5").
std::size_t plan_bytes(const scenario::Scenario& s) {
  std::size_t steps = 0;
  for (const scenario::JobTemplate& t : s.jobs) steps += static_cast<std::size_t>(std::max(t.count, 0)) * t.steps.size();
  return steps * (sizeof(scenario::PlannedStep) + sizeof(Time));
}

double seconds_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

BackgroundLoad::BackgroundLoad(AppState& app, std::filesystem::path file)
    : keeps_freed_memory_(keep_freed_memory_for_knob_changes()),
      others_faults_at_start_(minor_faults_of_others()),
      populates_ahead_(keeps_freed_memory_ && std::thread::hardware_concurrency() >= 2),
      thread_([this, &app, file = std::move(file)] {
        // Out of memory while indexing (lesson 1 with hour-long jobs in a small address space)
        // is thrown again by wait(), on the thread that says so, rather than ending the program
        // here; and the waiting thread is released either way.
        try {
          const auto started = std::chrono::steady_clock::now();
          fault_in_ahead(kReadBytes);
          app.session.when_read([this](const scenario::Scenario& s) { fault_in_ahead(std::min(plan_bytes(s), kMostAhead)); });
          loaded_ = app.session.open(file);
          app.session.when_read({});
          ahead_.clear();  // done long before: joined
          const auto opened = std::chrono::steady_clock::now();
          if (loaded_) refresh_derived(app, &lent_);
          load_seconds_ = seconds_between(started, opened);
          indexing_seconds_ = seconds_between(opened, std::chrono::steady_clock::now());
        } catch (...) {
          failed_ = std::current_exception();
        }
        lent_.finish();
      }) {}

void BackgroundLoad::fault_in_ahead(std::size_t bytes) {
  if (!populates_ahead_ || bytes < kLeastAhead) return;
  const HeapBlock block = next_heap_block(bytes);
  if (block.bytes == 0) return;
  ahead_.emplace_back([this, block] {
    ahead_bytes_.fetch_add(populate_heap_block(block), std::memory_order_relaxed);
  });
}

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
    if (failed_) std::rethrow_exception(std::exchange(failed_, nullptr));
  }
  return loaded_;
}

}  // namespace gilsim::viz

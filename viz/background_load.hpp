// Opening a scenario and indexing its runs on a second thread, so that the window, the ImGui
// context and its font atlas are made meanwhile: the first frame waits for the slower of the
// two instead of for both. The window's thread, waiting, faults in the pages of its heap
// while the runs are simulated, and indexes half of their indices with them. The loading
// thread's own heap, where the scenario is read and its jobs planned, is faulted in by a
// thread beside it as it writes there.
#pragma once

#include <atomic>
#include <cstddef>
#include <exception>
#include <filesystem>
#include <thread>
#include <vector>

#include "viz/app_state.hpp"
#include "viz/lent_thread.hpp"

namespace gilsim::viz {

class BackgroundLoad {
 public:
  /// Starts opening `file` (the default scenario when empty) into app.session and indexing
  /// its runs (refresh_derived). Nothing of `app` may be touched until wait() returns.
  /// First, malloc is asked to keep what the viewer frees for the next knob change
  /// (keep_freed_memory_for_knob_changes()).
  BackgroundLoad(AppState& app, std::filesystem::path file);
  /// Waits for the load when wait() was not called.
  ~BackgroundLoad();
  BackgroundLoad(const BackgroundLoad&) = delete;
  BackgroundLoad& operator=(const BackgroundLoad&) = delete;

  /// Waits for the load; true when the scenario loaded (else app.session.error() says why).
  /// Meanwhile, where there are two CPUs or more, this thread faults in up to kWarmBytes of
  /// its heap (until the runs are indexed: warm_this_threads_heap()), then takes half of the
  /// runs' indexing (LentThread), so that the indices it builds and the first frame it draws
  /// next find their pages resident.
  /// What the load threw (out of memory while indexing) it throws here.
  bool wait();
  /// The most wait() faults in, in step with the load: a page for each page the load's threads
  /// faulted in since it began (the trace simulated, whose size the indices and the frame
  /// follow). The 1 M-span scenario's indexing beside and its first frame faulted in about 21
  /// and 8.5 MB on threads of their own, about as much as its load; warmed by 24 MiB, this
  /// thread then faults in a few pages where 30 MiB left 6 MiB unused (docs/performance.md, "The
  /// 1 M-span scenario's first frame, round 2").
  static constexpr std::size_t kWarmBytes = std::size_t{24} << 20;
  /// Bytes wait() faulted in, and whether this thread took part in the indexing (the tests).
  std::size_t warmed_bytes() const { return warmed_bytes_; }
  bool indexed_beside() const { return indexed_beside_; }
  /// Bytes of the loading thread's heap faulted in ahead of it, beside it (after wait()).
  std::size_t faulted_in_ahead() const { return ahead_bytes_.load(std::memory_order_relaxed); }

  /// Seconds the second thread spent reading and simulating, and then indexing (after wait()).
  double load_seconds() const { return load_seconds_; }
  double indexing_seconds() const { return indexing_seconds_; }
  /// Whether malloc took the settings that keep freed memory for the next knob change.
  bool keeps_freed_memory() const { return keeps_freed_memory_; }

 private:
  /// On the loading thread: the next `bytes` of its heap faulted in on a thread beside.
  void fault_in_ahead(std::size_t bytes);

  bool keeps_freed_memory_ = false;  ///< set before the load starts (thread_ is declared after it)
  long others_faults_at_start_ = 0;  ///< the process's minor faults but this thread's, before the load
  bool loaded_ = false;
  std::exception_ptr failed_;  ///< what the load threw, for wait() to throw again
  double load_seconds_ = 0;
  double indexing_seconds_ = 0;
  std::size_t warmed_bytes_ = 0;
  bool indexed_beside_ = false;
  /// Where there are two CPUs or more and malloc keeps freed memory: the pages of the loading
  /// thread's heap that its reading of the scenario and the job plan write are faulted in ahead
  /// of it, on a thread beside (populate_heap_block), while it writes them.
  const bool populates_ahead_;
  std::vector<std::jthread> ahead_;  ///< the threads faulting in ahead (the loading thread's)
  std::atomic<std::size_t> ahead_bytes_{0};
  LentThread lent_;
  std::thread thread_;  ///< last: it starts once the fields above exist
};

}  // namespace gilsim::viz

// Storage made ready, while the viewer idles after opening a scenario, for the runs its first
// knob change simulates again.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "sim/trace/store.hpp"
#include "sim/trace/trace.hpp"
#include "viz/lent_thread.hpp"

namespace gilsim::viz {

/// The runs a knob change replaces give their trace's mappings to the storage cache
/// (trace::storage), so every change after the first writes its runs into resident pages; the
/// first, with nothing cached, faults its runs' pages in as it simulates them (lesson 15: about
/// a thousand fresh pages, 9 to 10 us each on a host that backs every page anew). A WarmPool
/// puts in the cache, ahead of that change, mappings like those the runs it would simulate
/// again took (their lanes' group arena's blocks and their marks', sized from their traces),
/// populated to the bytes those runs wrote, on a thread of its own at the lowest nice value.
/// Their memory is resident from then on, as the runs' is; release() gives back what no run
/// took (docs/performance.md, "A knob change on lesson 15, round 7"). The indices the viewer
/// builds of those runs are in malloc: a second thread faults in its own heap for them and
/// builds the costliest of them for every change that follows (indexer(); "round 8"). What the
/// runs' simulation itself writes in malloc (lesson 10's 4,000 jobs a run, its marks) goes to
/// the heaps of the change's threads, which glibc hands on from threads that ended: the pool's
/// last threads warm as many heaps and end after the open's ("A knob change on lesson 10,
/// round 3").
class WarmPool {
 public:
  /// At most this many bytes are made ready (a run larger than that faults the rest in).
  static constexpr std::size_t kLimit = std::size_t{64} << 20;

  WarmPool() = default;
  WarmPool(const WarmPool&) = delete;
  WarmPool& operator=(const WarmPool&) = delete;
  ~WarmPool() { release(); }

  /// The mappings a run like `run` takes, in the order it takes them, and what it writes of
  /// them: its lanes' groups after their first few spans (trace::GroupArena::mappings_for), then
  /// its marks' store when it outgrows malloc (its first mapping, up to what the marks fill).
  static std::vector<trace::storage::Extent> extents_for(const trace::Trace& run);
  /// Whether a change of the cores or the switch interval simulates `run` again (any other
  /// knob's change simulates every run): a simulated, whole run of more than one thread or
  /// process; one thread in one process, which never waits for a core or a GIL, both keep.
  static bool simulated_again(const trace::Trace& run);
  /// What to make ready for the runs of `runs` simulated again: their mappings' extents, up
  /// to kLimit in all, and the heap a thread that indexes the largest of them fills (the
  /// viewer's indices of a run, in malloc: a running sum of its lanes' spans, 8 bytes a span,
  /// and an eighth more), up to kHeapLimit; none under kHeapFrom.
  struct Plan {
    std::vector<trace::storage::Extent> mappings;
    std::size_t heap_bytes = 0;
    /// Heaps faulted in for the change's own threads (its thread and one per run simulated
    /// again), each of `arena_bytes`: what the largest run's simulation writes in malloc
    /// (malloc_bytes_for(), and the model's own); none when that is under kHeapFrom.
    std::size_t arenas = 0;
    std::size_t arena_bytes = 0;
  };
  static constexpr std::size_t kHeapLimit = std::size_t{24} << 20;
  /// Less is not warmed: a hundred pages faulted in cost less than a thread that would take a
  /// core for them beside the first frames (the small lessons; lesson 10's indices, 0.9 MiB,
  /// and its chunksize-1 run's 1.1 MiB in malloc are warmed: docs/performance.md, "A knob
  /// change on lesson 10, round 3").
  static constexpr std::size_t kHeapFrom = std::size_t{512} << 10;
  /// The heap's warming takes at most 1/kHeapPace of a core's time.
  static constexpr double kHeapPace = 3;
  static Plan plan(const std::vector<trace::Trace>& runs);
  /// What a run like `run` has its trace write in malloc as it is simulated: its jobs' table
  /// and its marks until they outgrow malloc (twice: the store grows by doubling).
  static std::size_t malloc_bytes_for(const trace::Trace& run);

  /// Releases what an earlier start() made, then makes `plan` ready: its mappings on a thread
  /// of its own at the lowest priority (storage::warm_cache), then `arenas` heaps, each
  /// faulted in by a thread of its own, which all end together (glibc hands the heap of a
  /// thread that ended to the next thread that allocates, the last ended first: the change's
  /// thread and the threads that simulate its runs, made after the open's), and, when `heap_bytes` is not 0,
  /// that much of another thread's own heap faulted in (warm_this_threads_heap, with the
  /// viewer's malloc settings that keep it), after which that thread serves indexer() until
  /// release().
  /// `lowest_priority` false: at the caller's priority (tests on a busy machine).
  void start(Plan plan, bool lowest_priority = true);
  /// The thread whose heap was warmed, lent to the indexing of the runs a knob change
  /// simulates (derive_run): its malloc arena is its own while it lives, so the first change's
  /// indices take the pages it faulted in, and each later change's those its predecessor's
  /// freed, whichever threads the change makes. Its heap is warmed until work comes, also
  /// beside a change's simulation when the change came first. Null when the plan has no heap.
  std::shared_ptr<LentThread> indexer() const { return indexer_; }
  /// Asks the thread to stop after the chunk it populates (what it made stays in the cache).
  void stop() { stop_.store(true, std::memory_order_relaxed); }
  /// Waits until the mappings and the heap are warmed, or stopped (tests and the bench).
  void wait();
  /// Stops and joins the thread and returns to the kernel the mappings it made that the cache
  /// still holds (the scenario closed, or another one opens).
  void release();
  /// Bytes of mappings planned, and populated (once the thread is done); heap bytes faulted in.
  std::size_t planned_bytes() const { return planned_; }
  std::size_t populated_bytes() const { return populated_.load(std::memory_order_acquire); }
  std::size_t heap_warmed_bytes() const { return heap_warmed_.load(std::memory_order_acquire); }
  /// Bytes of the change's threads' heaps faulted in (once the thread is done).
  std::size_t arenas_warmed_bytes() const { return arenas_warmed_.load(std::memory_order_acquire); }

 private:
  /// The indexer thread's work: its heap warmed, paced, then the indexing lent to it.
  void serve(LentThread& indexer, std::size_t heap_bytes);
  void heap_done();
  /// `arenas` threads' heaps faulted in, `bytes` each (on the mappings' thread, after them).
  void warm_arenas(std::size_t arenas, std::size_t bytes);

  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> populated_{0};
  std::atomic<std::size_t> heap_warmed_{0};
  std::atomic<std::size_t> arenas_warmed_{0};
  std::shared_ptr<LentThread> indexer_;
  std::mutex heap_mutex_;
  std::condition_variable heap_warmed_changed_;
  bool heap_warming_ = false;  ///< guarded by heap_mutex_
  std::size_t planned_ = 0;
  bool started_ = false;
  std::jthread thread_;          ///< the mappings'
  std::jthread indexer_thread_;  ///< serves indexer_ (declared after the fields it reads)
};

}  // namespace gilsim::viz

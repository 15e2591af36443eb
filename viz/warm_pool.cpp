// The storage made ready for a scenario's first knob change.
#include "viz/warm_pool.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <latch>
#include <new>
#include <limits>
#include <system_error>
#include <utility>

#include "sim/trace/group_store.hpp"
#include "viz/knob_memory.hpp"

namespace gilsim::viz {

namespace {

/// A lane's first group stays in malloc while it holds this many spans or fewer; a lane with
/// more takes all its groups from the run's arena (GroupStore::make_room: the first group, of
/// room for 8 and then 24 records, a group's base and its spans, moves there when made whole).
constexpr std::size_t kSpansInMallocAtMost = 23;

/// What the model allocates beside the trace as it simulates a run (a process pool's chunks,
/// the cores' idle waits): a few tens of pages on lesson 10's chunksize-1 run.
constexpr std::size_t kModelsOwn = std::size_t{256} << 10;

}  // namespace

std::vector<trace::storage::Extent> WarmPool::extents_for(const trace::Trace& run) {
  std::size_t groups = 0;
  for (const trace::Lane& lane : run.lanes) {
    const std::size_t spans = lane.spans.size();
    if (spans > kSpansInMallocAtMost) groups += (spans + trace::SpanStore::kGroup - 1) / trace::SpanStore::kGroup;
  }
  std::vector<trace::storage::Extent> out = trace::GroupArena::mappings_for(trace::SpanStore::kGroupBytes, groups);
  // The marks' stores live in malloc up to kMappedFrom bytes each, then in a mapping of
  // kHugePage or more (a Store's first), which it later moves to a larger one (mremap: the
  // pages past the first mapping's length come fresh). Their sum stands for the largest.
  const std::size_t marks = run.marks.bytes_used();
  if (marks >= trace::storage::kMappedFrom) {
    out.push_back({trace::storage::kHugePage, std::min(marks, trace::storage::kHugePage)});
  }
  return out;
}

std::size_t WarmPool::malloc_bytes_for(const trace::Trace& run) {
  return run.jobs.size() * sizeof(trace::Job) + 2 * std::min(run.marks.bytes_used(), trace::storage::kMappedFrom);
}

bool WarmPool::simulated_again(const trace::Trace& run) {
  if (run.origin != trace::Origin::Simulated || run.partial()) return false;
  // One thread in one process never waits for a core or a GIL: both rules keep such a run
  // (model::core_count_cannot_change, model::switch_interval_cannot_change), whose marks and
  // spans they read; the lanes alone say it here, in no time (lesson 15's two such runs hold
  // 800,000 spans).
  if (run.processes.size() != 1) return true;
  std::size_t threads = 0;
  for (const trace::Lane& lane : run.lanes) threads += lane.kind == trace::LaneKind::Thread ? 1 : 0;
  return threads != 1;
}

WarmPool::Plan WarmPool::plan(const std::vector<trace::Trace>& runs) {
  Plan out;
  std::size_t bytes = 0, largest = 0, runs_mapped = 0;
  bool full = false;
  for (const trace::Trace& run : runs) {
    if (!simulated_again(run)) continue;
    ++out.arenas;
    out.arena_bytes = std::max(out.arena_bytes, malloc_bytes_for(run));
    std::size_t spans = 0;
    for (const trace::Lane& lane : run.lanes) spans += lane.spans.size();
    largest = std::max(largest, spans);
    const std::vector<trace::storage::Extent> extents = extents_for(run);
    runs_mapped += extents.empty() ? 0 : 1;
    for (const trace::storage::Extent& e : extents) {
      full = full || bytes + e.bytes > kLimit;
      if (full) break;
      bytes += e.bytes;
      out.mappings.push_back(e);
    }
  }
  // Runs simulated at once take the cache's mappings of a length in no set order (the smallest
  // that fits, whichever run asks first: lesson 10's spawn run may take the one made for its
  // chunksize-1 run), so each is then made ready to the most any run wrote in one of its
  // length. One run takes its own in the order made (lesson 15's threads run).
  if (runs_mapped >= 2) {
    for (trace::storage::Extent& e : out.mappings) {
      for (const trace::storage::Extent& other : out.mappings) {
        if (other.bytes == e.bytes) e.used = std::max(e.used, other.used);
      }
    }
  }
  out.heap_bytes = std::min(kHeapLimit, largest * sizeof(std::int64_t) / 8 * 9);
  if (out.heap_bytes < kHeapFrom) out.heap_bytes = 0;
  if (out.arena_bytes < kHeapFrom) {
    out.arenas = out.arena_bytes = 0;
  } else {
    ++out.arenas;  // the change's own thread
    out.arena_bytes = std::min(kHeapLimit, out.arena_bytes + kModelsOwn);
  }
  return out;
}

void WarmPool::start(Plan plan, bool lowest_priority) {
  release();
  planned_ = 0;
  for (const trace::storage::Extent& e : plan.mappings) planned_ += e.used;
  if (plan.mappings.empty() && plan.heap_bytes == 0 && plan.arenas == 0) return;
  stop_.store(false, std::memory_order_relaxed);
  populated_.store(0, std::memory_order_relaxed);
  heap_warmed_.store(0, std::memory_order_relaxed);
  arenas_warmed_.store(0, std::memory_order_relaxed);
  started_ = true;
  try {
    if (plan.heap_bytes > 0) {
      indexer_ = std::make_shared<LentThread>();
      heap_warming_ = true;
      indexer_thread_ = std::jthread([this, bytes = plan.heap_bytes, indexer = indexer_] { serve(*indexer, bytes); });
    }
    thread_ = std::jthread([this, mappings = std::move(plan.mappings), arenas = plan.arenas,
                            arena_bytes = plan.arena_bytes, lowest_priority] {
      // Beside the viewer's own threads it takes a core only when they leave one (nice 19
      // weighs about 1.5% of a thread at 0 in the process's group; the threads it makes
      // inherit it).
      if (lowest_priority) setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 19);
      // Warming is advice: memory or threads running out end it, never the program (an
      // exception left to escape a thread's function ends it: std::terminate).
      try {
        populated_.store(trace::storage::warm_cache(mappings, stop_), std::memory_order_release);
        warm_arenas(arenas, arena_bytes);
      } catch (const std::bad_alloc&) {
      } catch (const std::system_error&) {
      }
    });
  } catch (const std::system_error&) {
    // No thread to spare: the first change faults its pages in, as it did.
    if (!indexer_thread_.joinable()) {
      indexer_.reset();
      heap_done();
    }
  }
}

void WarmPool::warm_arenas(std::size_t arenas, std::size_t bytes) {
  if (arenas == 0 || stop_.load(std::memory_order_relaxed)) return;
  // This thread warms one heap and others one each; each holds its heap until every one is
  // warmed (a thread that ended first would hand its heap to the next one made), then they
  // end, this one last: its heap, holding what it allocated for the others and the cache
  // too, is then the first handed on, warmed as the others are.
  std::latch all_warmed(static_cast<std::ptrdiff_t>(arenas));
  const auto warm = [this, bytes, &all_warmed] {
    arenas_warmed_.fetch_add(warm_this_threads_heap(bytes, stop_), std::memory_order_acq_rel);
    all_warmed.arrive_and_wait();
  };
  std::vector<std::jthread> others;
  try {
    others.reserve(arenas - 1);
    for (std::size_t i = 1; i < arenas; ++i) others.emplace_back(warm);
  } catch (const std::system_error&) {
    // Fewer threads: the heaps not warmed fault their pages in, as they did.
    all_warmed.count_down(static_cast<std::ptrdiff_t>(arenas - 1 - others.size()));
  } catch (const std::bad_alloc&) {
    // No memory for another thread's state: the same.
    all_warmed.count_down(static_cast<std::ptrdiff_t>(arenas - 1 - others.size()));
  }
  warm();
}

void WarmPool::serve(LentThread& indexer, std::size_t heap_bytes) {
  // At the viewer's priority, which it keeps for the indexing it serves (a thread cannot take
  // back a nice value it gave up), the heap is warmed a third of the time at most: beside the
  // first frames and a change's simulation, it takes a core only in part.
  const auto started = std::chrono::steady_clock::now();
  const auto paced = [started] {
    timespec cpu{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
    const double busy = static_cast<double>(cpu.tv_sec) + static_cast<double>(cpu.tv_nsec) * 1e-9;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return busy * kHeapPace < wall ? std::numeric_limits<std::size_t>::max() : std::size_t{0};
  };
  indexer.serve([&](const std::atomic<bool>& stop) {
    heap_warmed_.store(warm_this_threads_heap(heap_bytes, stop, paced), std::memory_order_release);
    heap_done();
  });
  heap_done();  // finished before it warmed
}

void WarmPool::heap_done() {
  const std::lock_guard lock(heap_mutex_);
  heap_warming_ = false;
  heap_warmed_changed_.notify_all();
}

void WarmPool::wait() {
  if (thread_.joinable()) thread_.join();
  std::unique_lock lock(heap_mutex_);
  heap_warmed_changed_.wait(lock, [this] { return !heap_warming_; });
}

void WarmPool::release() {
  stop();
  if (indexer_) indexer_->finish();
  if (thread_.joinable()) thread_.join();
  if (indexer_thread_.joinable()) indexer_thread_.join();
  indexer_.reset();
  if (std::exchange(started_, false)) trace::storage::drop_warmed();
  planned_ = 0;
}

}  // namespace gilsim::viz

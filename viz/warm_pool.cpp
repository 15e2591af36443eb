// The storage made ready for a scenario's first knob change.
#include "viz/warm_pool.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <latch>
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
  std::size_t bytes = 0, largest = 0;
  bool full = false;
  for (const trace::Trace& run : runs) {
    if (!simulated_again(run)) continue;
    std::size_t spans = 0;
    for (const trace::Lane& lane : run.lanes) spans += lane.spans.size();
    largest = std::max(largest, spans);
    for (const trace::storage::Extent& e : extents_for(run)) {
      full = full || bytes + e.bytes > kLimit;
      if (full) break;
      bytes += e.bytes;
      out.mappings.push_back(e);
    }
  }
  out.heap_bytes = std::min(kHeapLimit, largest * sizeof(std::int64_t) / 8 * 9);
  if (out.heap_bytes < kHeapFrom) out.heap_bytes = 0;
  return out;
}

void WarmPool::start(Plan plan, bool lowest_priority) {
  release();
  planned_ = 0;
  for (const trace::storage::Extent& e : plan.mappings) planned_ += e.used;
  if (plan.mappings.empty() && plan.heap_bytes == 0) return;
  stop_.store(false, std::memory_order_relaxed);
  populated_.store(0, std::memory_order_relaxed);
  heap_warmed_.store(0, std::memory_order_relaxed);
  started_ = true;
  try {
    thread_ = std::jthread([this, plan = std::move(plan), lowest_priority] { warm(plan, lowest_priority); });
  } catch (const std::system_error&) {
    // No thread to spare: the first change faults its pages in, as it did.
  }
}

void WarmPool::warm(const Plan& plan, bool lowest_priority) {
  // Beside the viewer's own threads it takes a core only when they leave one (nice 19 weighs
  // about 1.5% of a thread at 0 in the process's group).
  const auto lower = [lowest_priority] {
    if (lowest_priority) setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 19);
  };
  lower();
  populated_.store(trace::storage::warm_cache(plan.mappings, stop_), std::memory_order_release);
  if (plan.heap_bytes == 0 || stop_.load(std::memory_order_relaxed)) return;
  // Each heap is faulted in by a thread that holds it until all are (a thread takes a free
  // arena of malloc's, or a new one, at its first allocation, and gives it back as it ends:
  // threads alive together take one each). The threads made next, the knob change's, take
  // them: the last given back first.
  std::latch all_warmed(kHeaps);
  const auto warm_one = [&] {
    lower();
    heap_warmed_.fetch_add(warm_this_threads_heap(plan.heap_bytes, stop_), std::memory_order_acq_rel);
    all_warmed.arrive_and_wait();
  };
  std::vector<std::jthread> heaps;
  heaps.reserve(kHeaps);
  for (int h = 0; h < kHeaps; ++h) {
    try {
      heaps.emplace_back(warm_one);
    } catch (const std::system_error&) {
      all_warmed.count_down(kHeaps - h);  // those made go on without the rest
      break;
    }
  }
}

void WarmPool::wait() {
  if (thread_.joinable()) thread_.join();
}

void WarmPool::release() {
  stop();
  wait();
  if (std::exchange(started_, false)) trace::storage::drop_warmed();
  planned_ = 0;
}

}  // namespace gilsim::viz

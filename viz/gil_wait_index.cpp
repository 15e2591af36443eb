// The GIL waits of a run's processes, sorted once, for the playhead's queue.
#include "viz/gil_wait_index.hpp"

#include <algorithm>
#include <bit>
#include <limits>

#include "viz/radix_sort.hpp"

namespace gilsim::viz {

using trace::LaneKind;
using trace::Span;
using trace::SpanState;

GilWaitIndex GilWaitIndex::build(const trace::Trace& run, std::size_t min_threads) {
  GilWaitIndex index;
  if (run.partial()) return index;
  index.processes_.resize(run.processes.size());
  std::vector<std::size_t> threads(run.processes.size(), 0), spans(run.processes.size(), 0);
  for (const trace::Lane& lane : run.lanes) {
    if (lane.kind != LaneKind::Thread || lane.process >= run.processes.size()) continue;
    ++threads[lane.process];
    spans[lane.process] += lane.spans.size();
  }
  constexpr std::uint64_t kLongest = (std::uint64_t{1} << Wait::kLengthBits) - 1;
  constexpr std::uint64_t kLanes = std::uint64_t{1} << (64 - Wait::kLengthBits);
  for (trace::ProcessId p = 0; p < run.processes.size(); ++p) {
    if (threads[p] < std::max<std::size_t>(1, min_threads)) continue;
    ProcessWaits& out = index.processes_[p];
    out.waits.reserve(spans[p] / 2 + threads[p]);  // a wait every other span, as a thread's lane goes
    // Each lane's spans in order, none overlapping, as span_at's search by their ends needs
    // to find what a sorted list finds; and each wait fitting 16 bytes.
    bool fits = true;
    for (trace::LaneId l = 0; l < run.lanes.size() && fits; ++l) {
      const trace::Lane& lane = run.lanes[l];
      if (lane.kind != LaneKind::Thread || lane.process != p) continue;
      fits = l < kLanes;
      Time last_end = Time{std::numeric_limits<std::int64_t>::min()};
      lane.spans.for_each([&](const Span& s) {
        fits = fits && s.begin >= last_end && s.end >= s.begin;
        last_end = s.end;
        if (s.state != SpanState::WaitingGil || !fits) return;
        const auto length = static_cast<std::uint64_t>(s.end.ns()) - static_cast<std::uint64_t>(s.begin.ns());
        fits = length <= kLongest;
        out.waits.push_back(Wait{s.begin.ns(), length | static_cast<std::uint64_t>(l) << Wait::kLengthBits});
      });
    }
    if (!fits) {
      out = ProcessWaits{};
      continue;
    }
    // The lanes were read in their order, and the sort is stable: an equal begin, the lower lane first.
    stable_sort_by_key(out.waits, [](const Wait& w) { return w.begin; });
    out.ends_sorted.reserve(out.waits.size());
    for (const Wait& w : out.waits) out.ends_sorted.push_back(w.end());
    stable_sort_by_key(out.ends_sorted, [](Time end) { return end.ns(); });
    const std::size_t blocks = (out.waits.size() + kBlock - 1) / kBlock;
    out.leaves = std::bit_ceil(std::max<std::size_t>(1, blocks));
    out.latest_end.assign(2 * out.leaves, std::numeric_limits<std::int64_t>::min());
    for (std::size_t i = 0; i < out.waits.size(); ++i) {
      std::int64_t& leaf = out.latest_end[out.leaves + i / kBlock];
      leaf = std::max(leaf, out.waits[i].end().ns());
    }
    for (std::size_t node = out.leaves - 1; node >= 1; --node) {
      out.latest_end[node] = std::max(out.latest_end[2 * node], out.latest_end[2 * node + 1]);
    }
    out.indexed = true;
  }
  return index;
}

std::size_t GilWaitIndex::ProcessWaits::next_block_ending_after(std::size_t from, Time t) const {
  const std::size_t blocks = (waits.size() + kBlock - 1) / kBlock;
  if (from >= blocks) return blocks;
  const auto ends_after = [&](std::size_t node) { return latest_end[node] > t.ns(); };
  std::size_t node = leaves + from;
  if (ends_after(node)) return from;
  // Up while the node is a right child (nothing right of it below its parent), then over to
  // the node right of it; the root's, when reached so, has nothing right of it.
  for (;;) {
    while (node % 2 == 1) {
      node /= 2;
      if (node <= 1) return blocks;
    }
    ++node;
    if (ends_after(node)) break;
  }
  while (node < leaves) node = ends_after(2 * node) ? 2 * node : 2 * node + 1;
  return std::min(node - leaves, blocks);
}

GilQueue GilWaitIndex::at(trace::ProcessId p, Time t, std::size_t longest) const {
  const ProcessWaits& w = processes_[p];
  GilQueue queue;
  const std::size_t begun = static_cast<std::size_t>(
      std::partition_point(w.waits.begin(), w.waits.end(), [t](const Wait& wait) { return wait.since() <= t; }) - w.waits.begin());
  const std::size_t over = static_cast<std::size_t>(std::upper_bound(w.ends_sorted.begin(), w.ends_sorted.end(), t) - w.ends_sorted.begin());
  // A wait ends at or after its begin: every one over by t had begun by it.
  queue.waiting = begun - over;
  const std::size_t shown = std::min(longest, queue.waiting);
  queue.longest.reserve(shown);
  for (std::size_t b = w.next_block_ending_after(0, t); b * kBlock < begun && queue.longest.size() < shown;
       b = w.next_block_ending_after(b + 1, t)) {
    for (std::size_t i = b * kBlock; i < std::min(begun, (b + 1) * kBlock) && queue.longest.size() < shown; ++i) {
      const Wait& wait = w.waits[i];
      if (wait.end() > t) queue.longest.push_back(GilWaiter{wait.lane(), wait.since(), t - wait.since()});
    }
  }
  return queue;
}

std::size_t GilWaitIndex::waits() const {
  std::size_t n = 0;
  for (const ProcessWaits& w : processes_) n += w.waits.size();
  return n;
}

}  // namespace gilsim::viz

// Who waits for a process's GIL at an instant, from the run's GIL waits sorted once, where the
// playhead searched every thread lane: at 10,000 threads its two questions a frame (the GIL
// queue's chips, the playhead panel) were 20,000 searches, and the list they made (all but
// the holder wait) was sorted to show four or eight of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/trace/trace.hpp"

namespace gilsim::viz {

struct GilWaiter {
  trace::LaneId lane = trace::kNone;
  Time since;   ///< when it started waiting
  Time waited;  ///< t - since
};

/// The queue for one GIL at an instant: its head, and how many wait.
struct GilQueue {
  std::vector<GilWaiter> longest;  ///< the longest waiting first (an equal wait: the lower lane first)
  std::size_t waiting = 0;         ///< every thread waiting
};

/// Per process, its thread lanes' GIL waits (a WaitingGil span each) sorted by their begin (an
/// equal begin: by lane), 16 bytes each, their ends sorted apart, and the latest end per block
/// of 64 waits in a tree of maxima. At `t` the waiting threads are the waits begun by `t` (a
/// prefix) that end after it: counted as the begins by `t` less the ends by `t`, and the
/// longest found by skipping, through the tree, the blocks all over by `t`: each block stopped
/// at holds a waiter, so the head of the queue costs a logarithm a waiter shown.
class GilWaitIndex {
 public:
  /// Fewer thread lanes in a process are searched one by one as fast as this is built.
  static constexpr std::size_t kThreadsWorthIndexing = 64;

  /// The waits of each process of `run` with at least `min_threads` thread lanes, whose lanes
  /// the lane-by-lane search reads as this does: each span begins at or after the end of the
  /// one before it and ends at or after its begin (a model's run always; a measured trace gone
  /// wrong is searched lane by lane, as before), and whose waits fit (see Wait). A run still being simulated (a preview) gets
  /// none: it is indexed again as it grows, and its frames are few.
  static GilWaitIndex build(const trace::Trace& run, std::size_t min_threads = kThreadsWorthIndexing);

  /// Whether the waits of process `p` of the run it was built from are here.
  bool covers(trace::ProcessId p) const { return p < processes_.size() && processes_[p].indexed; }
  /// Process `p`'s queue at `t`, with its `longest` first waiters (covers(p) must hold): the
  /// lane-by-lane search's answer, `longest` of it.
  GilQueue at(trace::ProcessId p, Time t, std::size_t longest) const;
  /// The waits kept, for the figures.
  std::size_t waits() const;

 private:
  static constexpr std::size_t kBlock = 64;
  /// A wait in 16 bytes (2 M of them at 10,000 threads, each page written a first time at a
  /// cost): its begin, then its length in the low 44 bits (4.8 hours) and its lane in the
  /// high 20 (a million lanes). A process with a wait that does not fit is not indexed.
  struct Wait {
    static constexpr int kLengthBits = 44;
    std::int64_t begin = 0;
    std::uint64_t length_and_lane = 0;
    Time since() const { return Time{begin}; }
    Time end() const { return Time{begin + static_cast<std::int64_t>(length_and_lane & ((std::uint64_t{1} << kLengthBits) - 1))}; }
    trace::LaneId lane() const { return static_cast<trace::LaneId>(length_and_lane >> kLengthBits); }
  };
  struct ProcessWaits {
    bool indexed = false;
    std::vector<Wait> waits;        ///< sorted by begin (an equal begin: by lane)
    std::vector<Time> ends_sorted;  ///< their ends, sorted: how many waits are over by t
    std::size_t leaves = 0;         ///< the tree's leaves: blocks, rounded up to a power of two
    std::vector<std::int64_t> latest_end;  ///< the tree: node i's children are 2i and 2i + 1, leaf b at leaves + b
    /// The first block from `from` on with a wait ending after `t`, or the block count.
    std::size_t next_block_ending_after(std::size_t from, Time t) const;
  };
  std::vector<ProcessWaits> processes_;
};

}  // namespace gilsim::viz

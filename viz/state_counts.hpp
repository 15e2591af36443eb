// How many lanes of a set (an aggregate row's members) are in each state, as a step function
// of time per state kept with its running integral (lanes x ns), so that the average count
// over any interval costs two searches, however many spans it covers: an aggregate row's
// pixel columns cost in proportion to the pixels, not to the spans in view (1,000 threads,
// 1.2 M spans). Built once per run, when it is indexed.
//
// Layout, per state: a change per instant where the count changes (a span's begin or end;
// instants where they cancel out keep none), 8 bytes each (its time from its block's first
// change, and the count from it on), in blocks of at most kBlock changes with the block's
// time and integral (24 bytes a block): a search finds the block, then adds up its changes.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "sim/trace/trace.hpp"
#include "viz/timeline_layout.hpp"

namespace gilsim::viz {

class StateCounts {
 public:
  /// Lanes x ns accumulated from the start of time to an instant: `whole` up to the last
  /// change at or before it, modulo 2^64 (differences are exact while under 2^63), `part`
  /// after that change.
  struct Integral {
    std::uint64_t whole = 0;
    double part = 0;
  };
  /// Lanes x ns between two instants (`from` before `to`).
  static double between(const Integral& from, const Integral& to) {
    return static_cast<double>(static_cast<std::int64_t>(to.whole - from.whole)) + (to.part - from.part);
  }

  StateCounts() = default;
  /// Counts the states of `lanes` of `run` (a span counts over [begin, end); empty spans not at all).
  StateCounts(const trace::Trace& run, std::span<const trace::LaneId> lanes);

  /// Whether any lane is ever in `state`.
  bool has(trace::SpanState state) const { return !of(state).changes.empty(); }
  /// Lanes in `state` integrated from the start of time to `t_ns`.
  Integral integral(trace::SpanState state, double t_ns) const;
  /// integral() for instants in increasing order: `cursor` (0 at first) keeps the block where
  /// the last one was found, and the search starts there (a frame's column edges).
  Integral integral(trace::SpanState state, double t_ns, std::size_t& cursor) const;
  /// The changes kept, over every state.
  std::size_t changes() const;
  /// Bytes held (capacity included).
  std::size_t bytes() const;

 private:
  static constexpr std::size_t kBlock = 32;
  struct Change {
    std::uint32_t offset = 0;  ///< ns after its block's first change
    std::uint32_t count = 0;   ///< lanes in the state from this change on
  };
  struct Block {
    std::int64_t time = 0;       ///< its first change's
    std::uint64_t integral = 0;  ///< lanes x ns before it (modulo 2^64)
    std::uint32_t first = 0;     ///< index of its first change
  };
  struct Steps {
    std::vector<Block> blocks;  ///< together: a search reads one line per step
    std::vector<Change> changes;
  };
  const Steps& of(trace::SpanState state) const { return states_[static_cast<std::size_t>(state)]; }
  /// The integral to `t_ns` (`t`, rounded down) within block `block` of `steps`.
  static Integral integral_in(const Steps& steps, std::size_t block, std::int64_t t, double t_ns);
  /// The changes of `lanes`' spans as keys (`Key`: wide enough for `chunk_bits` + 1 bits),
  /// sorted a chunk of time (2^chunk_bits ns) at a time, into states_.
  template <class Key>
  void count(const trace::Trace& run, std::span<const trace::LaneId> lanes, std::int64_t origin, std::uint64_t range,
             int chunk_bits);
  /// What append() carries from one instant to the next.
  struct Written {
    std::uint64_t integral = 0;
    std::int64_t count = 0, time = 0, block_time = 0;
    bool started = false;
  };
  /// Appends to `steps` the instant `t`, after the last, from which `count` lanes are in the state.
  static void append(Steps& steps, Written& written, std::int64_t t, std::int64_t count);

  std::array<Steps, trace::kSpanStateCount> states_;
};

/// What an aggregate row reads each frame, made when its run is indexed: its members' states
/// over time, and the times of the marks its hidden lanes hold (those drawn as glyphs and job
/// ends), sorted, so that the row says how many it holds in view from two searches.
struct GroupIndex {
  bool built = false;  ///< false: a group open at first, whose aggregate row reads its lanes
  StateCounts states;
  std::vector<Time> mark_times;

  /// Marks at `from` to `to`, both included.
  std::size_t marks_between(Time from, Time to) const;
};
/// The index of each of `groups` (lane_groups of `run`), in their order, built for the groups
/// folded at first (too many lanes to show: 1,000 threads). A group open at first (8 alike
/// threads) is folded only by a fit or a click, and its aggregate row then adds up its lanes'
/// spans in view: building its index would cost the first frame of every run that has one
/// (busy.toml's 8 threads: 40 ms) for a row that may never be drawn.
std::vector<GroupIndex> index_groups(const trace::Trace& run, const std::vector<LaneGroup>& groups);

}  // namespace gilsim::viz

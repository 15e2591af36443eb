// Step functions of a lane set's states; see state_counts.hpp.
#include "viz/state_counts.hpp"

#include "viz/level_of_detail.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <utility>

namespace gilsim::viz {

namespace {

constexpr std::size_t kStates = trace::kSpanStateCount;

/// Sorts keys by their low `bits` bits, 11 at a time (LSD radix, through `scratch`): three
/// passes over a state's 2.4 M changes at 1,000 threads where a comparison sort takes twenty.
template <class Key>
void radix_sort(std::vector<Key>& keys, int bits, std::vector<Key>& scratch) {
  constexpr int kDigit = 11;
  constexpr std::size_t kBuckets = std::size_t{1} << kDigit;
  if (keys.size() < 1024) {
    std::sort(keys.begin(), keys.end());
    return;
  }
  scratch.resize(keys.size());
  for (int shift = 0; shift < bits; shift += kDigit) {
    std::array<std::size_t, kBuckets> start{};
    for (Key k : keys) ++start[k >> shift & (kBuckets - 1)];
    std::size_t at = 0;
    for (std::size_t& s : start) at += std::exchange(s, at);
    for (Key k : keys) scratch[start[k >> shift & (kBuckets - 1)]++] = k;
    keys.swap(scratch);
  }
}

/// `t` rounded down to whole nanoseconds, held within the int64 range.
std::int64_t floor_ns(double t) {
  constexpr double kLimit = 9.2e18;
  if (!(t < kLimit)) return std::numeric_limits<std::int64_t>::max();  // NaN too
  if (t <= -kLimit) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(std::floor(t));
}

}  // namespace

StateCounts::StateCounts(const trace::Trace& run, std::span<const trace::LaneId> lanes) {
  // One reading to size each state's keys and find the instants' range, one to write them.
  Sizes sizes;
  for (trace::LaneId l : lanes) {
    if (l >= run.lanes.size()) continue;
    run.lanes[l].spans.for_each([&](const trace::Span& s) {
      if (s.end <= s.begin) return;
      ++sizes.spans[static_cast<std::size_t>(s.state)];
      sizes.origin = std::min(sizes.origin, s.begin.ns());
      sizes.last = std::max(sizes.last, s.end.ns());
    });
  }
  if (sizes.origin > sizes.last) return;
  // A run under 2.1 s sorts 4-byte keys: half the memory and its page faults.
  const std::uint64_t range = static_cast<std::uint64_t>(sizes.last) - static_cast<std::uint64_t>(sizes.origin);
  if (range < std::uint64_t{1} << 31) {
    count<std::uint32_t>(run, lanes, sizes);
  } else {
    count<std::uint64_t>(run, lanes, sizes);
  }
}

template <class Key>
void StateCounts::count(const trace::Trace& run, std::span<const trace::LaneId> lanes, const Sizes& sizes) {
  // Keys: (time - origin) * 2, + 1 for a begin; ends before begins at one instant (either
  // order sums the same). Past the int64 range an instant is clamped.
  const std::uint64_t range = static_cast<std::uint64_t>(sizes.last) - static_cast<std::uint64_t>(sizes.origin);
  const std::uint64_t widest = std::min<std::uint64_t>(range, std::numeric_limits<Key>::max() / 2 - 1);
  const auto key = [&](Time t, unsigned begin) {
    const std::uint64_t from_origin = static_cast<std::uint64_t>(t.ns()) - static_cast<std::uint64_t>(sizes.origin);
    return static_cast<Key>(std::min(from_origin, widest) * 2 + begin);
  };
  std::array<std::vector<Key>, kStates> keys;
  for (std::size_t state = 0; state < kStates; ++state) keys[state].reserve(sizes.spans[state] * 2);
  for (trace::LaneId l : lanes) {
    if (l >= run.lanes.size()) continue;
    run.lanes[l].spans.for_each([&](const trace::Span& s) {
      if (s.end <= s.begin) return;
      std::vector<Key>& to = keys[static_cast<std::size_t>(s.state)];
      to.push_back(key(s.begin, 1));
      to.push_back(key(s.end, 0));
    });
  }
  const int bits = std::bit_width(widest * 2 + 1);
  std::vector<Key> scratch;
  for (std::size_t state = 0; state < kStates; ++state) {
    if (keys[state].empty()) continue;
    radix_sort(keys[state], bits, scratch);
    fill(states_[state], keys[state], sizes.origin);
    std::vector<Key>().swap(keys[state]);  // its memory back before the next state's
  }
}

template <class Key>
void StateCounts::fill(Steps& steps, const std::vector<Key>& keys, std::int64_t origin) {
  std::uint64_t integral = 0;
  std::int64_t count = 0, time = 0;
  bool started = false;
  std::int64_t block_time = 0;
  for (std::size_t i = 0; i < keys.size();) {
    // Every change at one instant, summed: an instant where they cancel keeps none.
    const Key at = keys[i] >> 1;
    std::int64_t next = count;
    for (; i < keys.size() && keys[i] >> 1 == at; ++i) next += (keys[i] & 1) != 0 ? 1 : -1;
    if (next == count) continue;
    const std::int64_t t = static_cast<std::int64_t>(static_cast<std::uint64_t>(origin) + at);
    if (started) integral += static_cast<std::uint64_t>(count) * (static_cast<std::uint64_t>(t) - static_cast<std::uint64_t>(time));
    const std::size_t in_block = steps.changes.size() - (steps.blocks.empty() ? 0 : steps.blocks.back().first);
    if (!started || in_block == kBlock ||
        static_cast<std::uint64_t>(t) - static_cast<std::uint64_t>(block_time) > std::numeric_limits<std::uint32_t>::max()) {
      block_time = t;
      steps.blocks.push_back({t, integral, static_cast<std::uint32_t>(steps.changes.size())});
    }
    steps.changes.push_back({static_cast<std::uint32_t>(static_cast<std::uint64_t>(t) - static_cast<std::uint64_t>(block_time)),
                             static_cast<std::uint32_t>(next)});
    started = true;
    count = next;
    time = t;
  }
  steps.changes.shrink_to_fit();
  steps.blocks.shrink_to_fit();
}

StateCounts::Integral StateCounts::integral(trace::SpanState state, double t_ns) const {
  std::size_t cursor = 0;
  return integral(state, t_ns, cursor);
}

StateCounts::Integral StateCounts::integral(trace::SpanState state, double t_ns, std::size_t& cursor) const {
  const Steps& steps = of(state);
  const std::int64_t t = floor_ns(t_ns);
  const auto starts_after = [](std::int64_t v, const Block& b) { return v < b.time; };
  // The last block whose first change is at or before t: from the cursor by doubling steps,
  // then halving (from the start for an instant before the cursor's block).
  const std::size_t n = steps.blocks.size();
  std::size_t low = 0, high = n;  // the block sought is low - 1 or in [low, high)
  if (cursor < n && steps.blocks[cursor].time <= t) {
    std::size_t known = cursor;  // starts at or before t
    high = known + 1;
    for (std::size_t step = 1; high < n && steps.blocks[high].time <= t; step *= 2) {
      known = high;
      high = std::min(n, known + step);
    }
    low = known + 1;
  } else if (cursor < n) {
    high = cursor;
  }
  const auto after = std::upper_bound(steps.blocks.begin() + static_cast<std::ptrdiff_t>(low),
                                      steps.blocks.begin() + static_cast<std::ptrdiff_t>(high), t, starts_after);
  if (after == steps.blocks.begin()) return {};
  cursor = static_cast<std::size_t>(after - steps.blocks.begin()) - 1;
  return integral_in(steps, cursor, t, t_ns);
}

StateCounts::Integral StateCounts::integral_in(const Steps& steps, std::size_t block, std::int64_t t, double t_ns) {
  const Block& b = steps.blocks[block];
  const std::size_t end = block + 1 < steps.blocks.size() ? steps.blocks[block + 1].first : steps.changes.size();
  // Its changes up to t, each adding the count before it times the time since the last.
  Integral out{b.integral, 0};
  std::uint32_t offset = steps.changes[b.first].offset, count = steps.changes[b.first].count;
  const std::uint64_t limit = static_cast<std::uint64_t>(t) - static_cast<std::uint64_t>(b.time);
  for (std::size_t k = b.first + 1; k < end && steps.changes[k].offset <= limit; ++k) {
    out.whole += std::uint64_t{count} * (steps.changes[k].offset - offset);
    offset = steps.changes[k].offset;
    count = steps.changes[k].count;
  }
  out.part = count == 0 ? 0.0 : count * (t_ns - static_cast<double>(b.time + offset));
  return out;
}

std::size_t StateCounts::changes() const {
  std::size_t n = 0;
  for (const Steps& s : states_) n += s.changes.size();
  return n;
}

std::size_t StateCounts::bytes() const {
  std::size_t n = sizeof(*this);
  for (const Steps& s : states_) {
    n += s.changes.capacity() * sizeof(Change) + s.blocks.capacity() * sizeof(Block);
  }
  return n;
}

std::size_t GroupIndex::marks_between(Time from, Time to) const {
  if (to < from) return 0;
  const auto first = std::lower_bound(mark_times.begin(), mark_times.end(), from);
  return static_cast<std::size_t>(std::upper_bound(first, mark_times.end(), to) - first);
}

std::vector<GroupIndex> index_groups(const trace::Trace& run, const std::vector<LaneGroup>& groups) {
  std::vector<GroupIndex> out(groups.size());
  std::vector<std::uint32_t> hidden(run.lanes.size());  // per lane: how often a group hides it
  for (std::size_t g = 0; g < groups.size(); ++g) {
    out[g].states = StateCounts(run, groups[g].members);
    std::fill(hidden.begin(), hidden.end(), 0u);
    std::size_t marks = 0;
    for (trace::LaneId l : groups[g].hidden) {
      if (l < hidden.size()) ++hidden[l];
    }
    for (int pass = 0; pass < 2; ++pass) {  // counted, then written into one allocation
      run.marks.for_each([&](std::size_t, const trace::Mark& m) {
        if (m.lane >= hidden.size() || hidden[m.lane] == 0 || !has_glyph(m.kind)) return;
        if (pass == 0) {
          marks += hidden[m.lane];
        } else {
          out[g].mark_times.insert(out[g].mark_times.end(), hidden[m.lane], m.at);
        }
      });
      if (pass == 0) out[g].mark_times.reserve(marks);
    }
    if (!std::is_sorted(out[g].mark_times.begin(), out[g].mark_times.end())) {
      std::sort(out[g].mark_times.begin(), out[g].mark_times.end());
    }
  }
  return out;
}

}  // namespace gilsim::viz

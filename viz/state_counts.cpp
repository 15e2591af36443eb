// Step functions of a lane set's states; see state_counts.hpp.
#include "viz/state_counts.hpp"

#include "viz/level_of_detail.hpp"
#include "viz/radix_sort.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <utility>

namespace gilsim::viz {

namespace {

constexpr std::size_t kStates = trace::kSpanStateCount;

/// `t` rounded down to whole nanoseconds, held within the int64 range.
std::int64_t floor_ns(double t) {
  constexpr double kLimit = 9.2e18;
  if (!(t < kLimit)) return std::numeric_limits<std::int64_t>::max();  // NaN too
  if (t <= -kLimit) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(std::floor(t));
}

}  // namespace

StateCounts::StateCounts(const trace::Trace& run, std::span<const trace::LaneId> lanes) {
  // The instants' range from each lane's first begin and last end (its spans are in order).
  std::int64_t origin = std::numeric_limits<std::int64_t>::max(), last = std::numeric_limits<std::int64_t>::min();
  std::size_t spans = 0;
  for (trace::LaneId l : lanes) {
    if (l >= run.lanes.size() || run.lanes[l].spans.size() == 0) continue;
    const trace::SpanStore& store = run.lanes[l].spans;
    origin = std::min(origin, store.begin_at(0).ns());
    last = std::max(last, store.end_at(store.size() - 1).ns());
    spans += store.size();
  }
  if (spans == 0) return;
  // Chunks of time that hold about 4,096 keys each, sorted in cache one after the other; a
  // key is an instant's offset in its chunk, in 4 bytes where it fits (every run the model
  // makes: 10,000 threads' 24 M keys are then 96 MB, for the time of their sorting).
  const std::uint64_t range = static_cast<std::uint64_t>(last) - static_cast<std::uint64_t>(origin);
  const int range_bits = static_cast<int>(std::bit_width(range));
  int chunk_bits = std::clamp(range_bits - static_cast<int>(std::bit_width(spans * 2 / 4096)), 0, 62);
  // Smaller chunks for 4-byte keys, while there are fewer than a chunk per 64 keys.
  if (chunk_bits > 31 && range_bits - 31 <= static_cast<int>(std::bit_width(spans * 2 / 64))) chunk_bits = 31;
  if (chunk_bits < 32) {
    count<std::uint32_t>(run, lanes, origin, range, chunk_bits);
  } else {
    count<std::uint64_t>(run, lanes, origin, range, chunk_bits);
  }
}

template <class Key>
void StateCounts::count(const trace::Trace& run, std::span<const trace::LaneId> lanes, std::int64_t origin,
                        std::uint64_t range, int chunk_bits) {
  const std::size_t chunks = static_cast<std::size_t>(range >> chunk_bits) + 1;
  const std::uint64_t in_chunk = (std::uint64_t{1} << chunk_bits) - 1;
  const auto from_origin = [&](Time t) { return static_cast<std::uint64_t>(t.ns()) - static_cast<std::uint64_t>(origin); };
  // Keys: the offset in the chunk * 2, + 1 for a begin (ends come first at one instant:
  // either order sums the same). Per state, where each chunk's keys start: counted in one
  // reading of the lanes, written in a second.
  std::array<std::vector<std::size_t>, kStates> starts;
  const auto last = static_cast<std::int64_t>(static_cast<std::uint64_t>(origin) + range);
  const auto each_span = [&](auto&& f) {
    for (trace::LaneId l : lanes) {
      if (l >= run.lanes.size()) continue;
      run.lanes[l].spans.for_each([&](const trace::Span& s) {
        // Inside [origin, last] in every sound lane (its spans in order); a lane out of order
        // (a measured trace gone wrong) must not index past the chunks.
        if (s.end > s.begin && s.begin.ns() >= origin && s.end.ns() <= last) {
          f(s, starts[static_cast<std::size_t>(s.state)]);
        }
      });
    }
  };
  each_span([&](const trace::Span& s, std::vector<std::size_t>& start) {
    if (start.empty()) start.assign(chunks + 1, 0);
    ++start[(from_origin(s.begin) >> chunk_bits) + 1];
    ++start[(from_origin(s.end) >> chunk_bits) + 1];
  });
  std::array<std::vector<Key>, kStates> keys;
  std::array<std::vector<std::size_t>, kStates> next;
  for (std::size_t state = 0; state < kStates; ++state) {
    if (starts[state].empty()) continue;
    for (std::size_t c = 1; c <= chunks; ++c) starts[state][c] += starts[state][c - 1];
    keys[state].resize(starts[state].back());
    next[state] = starts[state];
  }
  each_span([&](const trace::Span& s, std::vector<std::size_t>&) {
    const std::size_t state = static_cast<std::size_t>(s.state);
    for (const auto& [t, begin] : {std::pair{s.begin, 1u}, {s.end, 0u}}) {
      const std::uint64_t offset = from_origin(t);
      keys[state][next[state][offset >> chunk_bits]++] = static_cast<Key>((offset & in_chunk) * 2 + begin);
    }
  });
  std::vector<Key> scratch;
  for (std::size_t state = 0; state < kStates; ++state) {
    if (keys[state].empty()) continue;
    Written written;
    states_[state].changes.reserve(keys[state].size() / 2);
    for (std::size_t c = 0; c < chunks; ++c) {
      const std::span<Key> chunk(keys[state].data() + starts[state][c], starts[state][c + 1] - starts[state][c]);
      sort_by_low_bits(chunk, chunk_bits + 1, scratch);
      const std::uint64_t chunk_start = static_cast<std::uint64_t>(origin) + (std::uint64_t{c} << chunk_bits);
      for (std::size_t i = 0; i < chunk.size();) {
        // Every change at one instant, summed: an instant where they cancel keeps none.
        const Key at = chunk[i] >> 1;
        std::int64_t count = written.count;
        for (; i < chunk.size() && chunk[i] >> 1 == at; ++i) count += (chunk[i] & 1) != 0 ? 1 : -1;
        if (count != written.count) append(states_[state], written, static_cast<std::int64_t>(chunk_start + at), count);
      }
    }
    states_[state].changes.shrink_to_fit();
    states_[state].blocks.shrink_to_fit();
    std::vector<Key>().swap(keys[state]);  // its memory back before the next state's
  }
}

void StateCounts::append(Steps& steps, Written& written, std::int64_t t, std::int64_t count) {
  if (written.started) {
    written.integral += static_cast<std::uint64_t>(written.count) *
                        (static_cast<std::uint64_t>(t) - static_cast<std::uint64_t>(written.time));
  }
  const std::size_t in_block = steps.changes.size() - (steps.blocks.empty() ? 0 : steps.blocks.back().first);
  if (!written.started || in_block == kBlock ||
      static_cast<std::uint64_t>(t) - static_cast<std::uint64_t>(written.block_time) > std::numeric_limits<std::uint32_t>::max()) {
    written.block_time = t;
    steps.blocks.push_back({t, written.integral, static_cast<std::uint32_t>(steps.changes.size())});
  }
  steps.changes.push_back({static_cast<std::uint32_t>(static_cast<std::uint64_t>(t) - static_cast<std::uint64_t>(written.block_time)),
                           static_cast<std::uint32_t>(count)});
  written.started = true;
  written.count = count;
  written.time = t;
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
    if (!groups[g].folded_at_first) continue;
    out[g].built = true;
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

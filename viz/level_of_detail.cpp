// Folding of sub-pixel spans into draw items; see level_of_detail.hpp.
#include "viz/level_of_detail.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <ranges>
#include <tuple>

namespace gilsim::viz {

using trace::Span;

std::size_t first_span_ending_after(const trace::SpanStore& spans, Time t) {
  // By index on the ends alone: a whole span is three times the reading.
  return *std::ranges::partition_point(std::views::iota(std::size_t{0}, spans.size()),
                                       [&](std::size_t i) { return spans.end_at(i) <= t; });
}

namespace {

/// Tallies time per state and per subject over the spans of one fold.
class Tally {
 public:
  void add(const Span& s, double weight) {
    by_state_[static_cast<std::size_t>(s.state)] += weight;
    for (std::size_t i = 0; i < subjects_; ++i) {
      if (by_subject_[i].first == s.subject) {
        by_subject_[i].second += weight;
        return;
      }
    }
    if (subjects_ < by_subject_.size()) by_subject_[subjects_++] = {s.subject, weight};
  }
  trace::SpanState state() const {
    return static_cast<trace::SpanState>(std::max_element(by_state_.begin(), by_state_.end()) - by_state_.begin());
  }
  /// The state of most time after state(), and its share of all the time tallied.
  std::pair<trace::SpanState, float> minor() const {
    const std::size_t major = static_cast<std::size_t>(state());
    std::size_t best = major;
    double total = 0;
    for (std::size_t i = 0; i < by_state_.size(); ++i) {
      total += by_state_[i];
      if (i != major && (best == major || by_state_[i] > by_state_[best])) best = i;
    }
    if (best == major || total <= 0) return {state(), 0.0f};
    return {static_cast<trace::SpanState>(best), static_cast<float>(by_state_[best] / total)};
  }
  std::uint32_t subject() const {
    const auto end = by_subject_.begin() + static_cast<std::ptrdiff_t>(subjects_);
    auto best = std::max_element(by_subject_.begin(), end,
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
    return best == end ? trace::kNone : best->first;
  }

 private:
  std::array<double, trace::kSpanStateCount> by_state_{};
  std::array<std::pair<std::uint32_t, double>, 16> by_subject_{};  ///< no allocation per fold
  std::size_t subjects_ = 0;
};

/// The first span from `from` on that begins at or after `t` (a lane's spans begin in order),
/// found outwards from `guess` by steps that double, then halving, on the begins alone: each
/// step a cache miss on a lane of 200 k spans, and a fold's end is near the last fold's length
/// from its start (folds of one view hold alike counts).
std::size_t first_beginning_at_or_after(const trace::SpanStore& spans, std::size_t from, Time t, std::size_t guess) {
  const std::size_t n = spans.size();
  guess = std::clamp(guess, from, n);
  std::size_t low = guess, high = guess;  // spans before `low` begin before t; `high` (or n) at or after it
  if (guess < n && spans.begin_at(guess) < t) {
    low = high = guess + 1;
    for (std::size_t step = 1; high < n && spans.begin_at(high) < t; step *= 2) {
      low = high + 1;
      high = low + step;
    }
  } else {
    for (std::size_t step = 1; low > from && spans.begin_at(low - 1) >= t; step *= 2) {
      high = low - 1;
      low = high - std::min(step, high - from);
    }
  }
  return *std::ranges::partition_point(std::views::iota(low, std::min(high, n)),
                                       [&](std::size_t i) { return spans.begin_at(i) < t; });
}

DrawItem single(const Span& s, std::size_t index, const TimeView& view) {
  DrawItem item;
  item.x0 = std::max(-1.0, view.x_of(s.begin));
  item.x1 = std::min(view.width_px() + 1, view.x_of(s.end));
  item.state = s.state;
  item.subject = s.subject;
  item.first_span = static_cast<std::uint32_t>(index);
  item.span_count = 1;
  return item;
}

}  // namespace

namespace {

/// The share of [x0, x1] (at least one pixel) that `covered_ns` fills.
float coverage_of(double covered_ns, double x0, double x1, const TimeView& view) {
  const double px = std::max(1.0, x1 - x0);
  return static_cast<float>(std::clamp(covered_ns / (px * view.ns_per_px()), 0.0, 1.0));
}

}  // namespace

/// Spans between a fold's samples from which they are read in a batch before being tallied:
/// 16 spans (192 bytes of records) apart, each sample is on a cache line of its own; closer,
/// the batch's copies cost more than it saves (11% more instructions in the 1 M-span
/// scenario's first frame).
constexpr std::size_t kSamplesApartToBatch = 16;

void build_draw_items(const trace::SpanStore& spans, const TimeView& view,
                      std::vector<DrawItem>& out, const LodOptions& options,
                      std::span<const std::int64_t> prefix) {
  const Time view_end = view.end();
  const double bucket_ns = std::max(1.0, options.min_px * view.ns_per_px());
  const auto wide = [&](const Span& s) {
    return static_cast<double>(s.duration().ns()) >= bucket_ns;
  };
  std::size_t i = first_span_ending_after(spans, view.start());
  std::size_t last_fold = 1;  // spans in the last bucket: where the next one's end is sought first
  std::array<Span, 32> batch;  // a fold's samples, read before they are tallied (made once: 768 bytes)
  while (i < spans.size()) {
    const Span s = spans[i];
    if (s.begin >= view_end) break;
    if (wide(s)) {
      out.push_back(single(s, i, view));
      ++i;
      continue;
    }
    // Buckets sit on a fixed time grid, so panning never regroups spans (no shimmer).
    const double bucket = std::floor(static_cast<double>(s.begin.ns()) / bucket_ns);
    const Time bucket_end{static_cast<std::int64_t>(std::ceil((bucket + 1) * bucket_ns))};
    std::size_t j = first_beginning_at_or_after(spans, i, bucket_end, i + last_fold);
    last_fold = j - i;
    if (j - i > 1 && wide(spans[j - 1])) --j;  // a wide span starting in the bucket is drawn alone
    if (j - i == 1) {
      DrawItem item = single(s, i, view);
      item.x1 = std::max(item.x1, item.x0 + 1.0);  // a lone narrow span still shows as a hairline
      item.coverage = coverage_of(static_cast<double>(s.duration().ns()), item.x0, item.x1, view);
      out.push_back(item);
      i = j;
      continue;
    }
    Tally tally;
    const std::size_t count = j - i;
    const std::size_t limit = static_cast<std::size_t>(std::max(2, options.exact_limit));
    double covered = 0;
    const auto add = [&](const Span& span) {
      const double d = static_cast<double>(span.duration().ns());
      tally.add(span, d);
      covered += d;
    };
    const auto sample_at = [&](std::size_t n) { return spans[i + n * (count - 1) / (limit - 1)]; };
    if (count <= limit) {
      for (std::size_t k = i; k < j; ++k) add(spans[k]);
    } else {
      if ((count - 1) / (limit - 1) < kSamplesApartToBatch) {
        for (std::size_t n = 0; n < limit; ++n) add(sample_at(n));
      } else {
        // Samples far apart (10,000 threads: 166 holds apart on the GIL lane) are a cache miss
        // or two each: a batch is read first, with no tallying between the reads, so that
        // their misses overlap; then tallied in the same order.
        for (std::size_t first = 0; first < limit; first += batch.size()) {
          const std::size_t last = std::min(limit, first + batch.size());
          for (std::size_t n = first; n < last; ++n) batch[n - first] = sample_at(n);
          for (std::size_t n = first; n < last; ++n) add(batch[n - first]);
        }
      }
      covered *= static_cast<double>(count) / static_cast<double>(limit);
    }
    if (prefix.size() == spans.size() + 1) covered = static_cast<double>(prefix[j] - prefix[i]);
    DrawItem item;
    item.x0 = std::max(-1.0, view.x_of(s.begin));
    item.x1 = std::min(view.width_px() + 1, std::max(view.x_of(spans[j - 1].end), item.x0 + 1.0));
    item.state = tally.state();
    std::tie(item.minor_state, item.minor_share) = tally.minor();
    item.subject = tally.subject();
    item.first_span = static_cast<std::uint32_t>(i);
    item.span_count = static_cast<std::uint32_t>(count);
    item.coverage = coverage_of(covered, item.x0, item.x1, view);
    out.push_back(item);
    i = j;
  }
}

bool has_glyph(trace::MarkKind kind) {
  using trace::MarkKind;
  // A pool's dispatches (a chunk sent to a worker) are told in the story, not drawn: a dense
  // row of them on lesson 10's task handler said nothing the legend explained.
  switch (kind) {
    case MarkKind::DropRequest:
    case MarkKind::ForcedSwitch:
    case MarkKind::JobEnd:
    case MarkKind::LoopStall:
    case MarkKind::Preempt:
    case MarkKind::LostUpdate:
      return true;
    default:
      return false;
  }
}

LaneMarks marks_by_lane(const trace::Trace& trace) {
  return marks_by_lane(trace, [](std::size_t, const trace::Mark&) {});
}

bool tells_outcome(trace::MarkKind kind) {
  return kind == trace::MarkKind::LostUpdate || kind == trace::MarkKind::Deadlock;
}

std::size_t visible_marks(const trace::Trace& trace, const std::vector<std::uint32_t>& lane_marks,
                          const TimeView& view, double min_gap_px, std::vector<std::uint32_t>& out,
                          const std::vector<std::uint32_t>& telling) {
  const auto first_at_or_after = [&](auto from, Time t) {
    return std::lower_bound(from, lane_marks.end(), t,
                            [&](std::uint32_t m, Time v) { return trace.marks[m].at < v; });
  };
  const double margin = min_gap_px + 8;
  const Time last = view.time_at(view.width_px() + margin);
  auto it = first_at_or_after(lane_marks.begin(), view.time_at(-margin));
  std::size_t folded = 0;
  while (it != lane_marks.end() && trace.marks[*it].at <= last) {
    const double x = view.x_of(trace.marks[*it].at);
    // One nanosecond early, so rounding never skips a mark exactly min_gap_px away.
    const Time skip_to = view.time_at(x + min_gap_px) - Time{1};
    // The window's marks are those before skip_to, and any at the same pixel past it (below).
    const auto told = std::lower_bound(telling.begin(), telling.end(), trace.marks[*it].at,
                                       [&](std::uint32_t m, Time v) { return trace.marks[m].at < v; });
    const bool tells = told != telling.end() && (trace.marks[*told].at < skip_to ||
                                                  view.x_of(trace.marks[*told].at) < x + min_gap_px - 1e-6);
    out.push_back(tells ? *told : *it);
    auto next = trace.marks[*it].at < skip_to ? first_at_or_after(it + 1, skip_to) : it + 1;
    while (next != lane_marks.end() && view.x_of(trace.marks[*next].at) < x + min_gap_px - 1e-6 &&
           trace.marks[*next].at <= last) {
      ++next;
    }
    const auto counted_to = next != lane_marks.end() && trace.marks[*next].at > last
                                ? first_at_or_after(it + 1, last + Time{1})
                                : next;
    folded += static_cast<std::size_t>(counted_to - it) - 1;
    it = next;
  }
  return folded;
}

std::size_t marks_in_view(const trace::Trace& trace, const std::vector<std::uint32_t>& lane_marks, const TimeView& view) {
  const auto before = [&](std::uint32_t m, Time v) { return trace.marks[m].at < v; };
  const auto first = std::lower_bound(lane_marks.begin(), lane_marks.end(), view.time_at(0), before);
  const auto last = std::lower_bound(first, lane_marks.end(), view.time_at(view.width_px()) + Time{1}, before);
  return static_cast<std::size_t>(last - first);
}

}  // namespace gilsim::viz

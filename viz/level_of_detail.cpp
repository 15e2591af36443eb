// Folding of sub-pixel spans into draw items; see level_of_detail.hpp.
#include "viz/level_of_detail.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <ranges>
#include <span>
#include <tuple>
#include <utility>

namespace gilsim::viz {

using trace::Span;

std::size_t first_span_ending_after(const trace::SpanStore& spans, Time t) {
  // By index on the ends alone: a whole span is three times the reading.
  return *std::ranges::partition_point(std::views::iota(std::size_t{0}, spans.size()),
                                       [&](std::size_t i) { return spans.end_at(i) <= t; });
}

namespace {

/// The largest and the second largest of `time(x)` over `xs`.
template <class Range, class TimeOf>
std::pair<double, double> top_two(const Range& xs, TimeOf time) {
  double first = 0, second = 0;
  for (const auto& x : xs) {
    const double t = time(x);
    if (t > first) {
      second = first;
      first = t;
    } else if (t > second) {
      second = t;
    }
  }
  return {first, second};
}

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
  /// Whether the leading state, or a subject with a quarter of the time or more, leads its
  /// runner-up by less than `lead` times, or by fewer samples (each of weight `sample`) than
  /// twice the square root of the two's samples: a sample's counts may then have swapped them
  /// (lesson 15's locked threads drew 10 of 24 samples native, 5 waiting for the lock, where
  /// the lock took half the time and native a fifth).
  bool in_doubt(double lead, double sample) const {
    const auto close = [&](double first, double second) {
      const double lead_in_samples = (first - second) / sample;
      return first < lead * second || lead_in_samples * lead_in_samples < 4 * (first + second) / sample;
    };
    const auto [first_state, second_state] = top_two(by_state_, [](double t) { return t; });
    if (close(first_state, second_state)) return true;
    const auto subjects = std::span(by_subject_).first(subjects_);
    const auto [first, second] = top_two(subjects, [](const auto& s) { return s.second; });
    double total = 0;
    for (const double t : by_state_) total += t;
    return 4 * first >= total && close(first, second);
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

namespace {

/// A number in [0, 1) fixed by `key`: where a fold's stratum is sampled (splitmix64's finaliser).
double unit_hash(std::uint64_t key) {
  key += 0x9e3779b97f4a7c15ULL;
  key = (key ^ (key >> 30)) * 0xbf58476d1ce4e5b9ULL;
  key = (key ^ (key >> 27)) * 0x94d049bb133111ebULL;
  key ^= key >> 31;
  return static_cast<double>(key >> 11) * 0x1.0p-53;
}

/// Samples a fold of spans [first, last) by time, with the lane's covered_time_prefix: the
/// fold's covered time is cut into `samples` equal strata and one instant is drawn in each
/// (placed by a hash of the fold's first span and the stratum, so a frame and the next
/// sample alike, and a fold keeps its colour as the view pans, the one cut by the left edge
/// aside); the span under it counts for
/// the stratum. A span's chance is its share of the time, whatever the order or the number
/// of the spans: lesson 15's unsafe threads run 20,000 short spans between a few long waits
/// for the GIL, which spans taken by index (one in N, or N in a row) miss.
template <class Add>
void sample_by_time(std::span<const std::int64_t> prefix, std::size_t first, std::size_t last, std::size_t samples,
                    std::uint64_t salt, Add&& add) {
  samples = std::min<std::size_t>(samples, std::size_t{1} << 16);  // the hash's key has 16 bits for them
  const double from = static_cast<double>(prefix[first]);
  const double stratum = static_cast<double>(prefix[last] - prefix[first]) / static_cast<double>(samples);
  if (stratum <= 0) return;
  auto lower = prefix.begin() + static_cast<std::ptrdiff_t>(first) + 1;
  const auto upper = prefix.begin() + static_cast<std::ptrdiff_t>(last) + 1;
  for (std::size_t n = 0; n < samples; ++n) {
    const double u = unit_hash((static_cast<std::uint64_t>(first) << 20) + (salt << 16) + n);
    const auto at = static_cast<std::int64_t>(from + (static_cast<double>(n) + u) * stratum);
    // The span under `at`: the last whose covered time starts at or before it. The instants
    // rise, so each search gallops on from where the last one ended (a few spans on).
    auto high = lower;
    for (std::ptrdiff_t step = 1; high != upper && *high <= at; step *= 2) {
      lower = high + 1;
      high = upper - lower > step ? lower + step : upper;
    }
    lower = std::upper_bound(lower, high, at);
    // Within the fold even where rounding put `at` on its end (times of years, 128 ns apart).
    add(std::min(static_cast<std::size_t>(lower - prefix.begin()) - 1, last - 1), stratum);
  }
}

/// Samples a fold of spans [first, last) without the lane's prefix (the derived lanes drawn
/// over a GIL lane): by windows of `window` consecutive spans, one in each of `windows`
/// strata, placed by a hash of the stratum's first span. Each window counts for its stratum:
/// its spans' durations times the stratum's spans over the window's. Returns the time the
/// windows stand for (the fold's covered time, estimated).
template <class Add>
double sample_windows(const trace::SpanStore& spans, std::size_t first, std::size_t last, std::size_t windows,
                      std::size_t window, Add&& add) {
  const std::size_t count = last - first;
  double covered = 0;
  for (std::size_t n = 0; n < windows; ++n) {
    const std::size_t lo = first + n * count / windows;
    const std::size_t size = first + (n + 1) * count / windows - lo;
    const std::size_t taken = std::min(window, size);
    const std::size_t from = lo + static_cast<std::size_t>(unit_hash(lo) * static_cast<double>(size - taken + 1));
    const double scale = static_cast<double>(size) / static_cast<double>(taken);
    for (std::size_t k = from; k < from + taken; ++k) {
      const Span s = spans[k];
      const double weight = static_cast<double>(s.duration().ns()) * scale;
      add(s, weight);
      covered += weight;
    }
  }
  return covered;
}

}  // namespace

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
    // Past the span's begin whatever the rounding: (floor(b / w) + 1) * w can round back to b
    // (b = 1,207,512 ns, w = 2,596.8 ns), and an empty fold never moved on.
    const Time bucket_end = std::max(Time{static_cast<std::int64_t>(std::ceil((bucket + 1) * bucket_ns))}, s.begin + Time{1});
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
    const auto tally_exactly = [&] {
      tally = Tally{};
      covered = 0;
      for (std::size_t k = i; k < j; ++k) {
        const double d = static_cast<double>(spans[k].duration().ns());
        tally.add(spans[k], d);
        covered += d;
      }
    };
    if (count <= limit) {
      tally_exactly();
    } else if (prefix.size() == spans.size() + 1) {
      const auto add = [&](std::size_t k, double weight) { tally.add(spans[k], weight); };
      sample_by_time(prefix, i, j, options.time_samples, 0, add);
      // A close call is sampled again, more finely: most folds are clear at the first look.
      // Two looks still swapped states far apart in time now and then (lesson 15's locked
      // threads: 51% waiting for the lock, 22% for the GIL, drawn as the GIL's in 4 folds of
      // 10,000), so a call still close after both is read span by span where it is small.
      const double time = static_cast<double>(prefix[j] - prefix[i]);
      if (tally.in_doubt(options.clear_lead, time / static_cast<double>(options.time_samples))) {
        sample_by_time(prefix, i, j, options.doubt_samples, 1, add);
        // Each look's weights add up to the fold's time: both together, 2 x time over their
        // instants. Still close, and a fold few enough to read, it is read span by span.
        const double both = 2 * time / static_cast<double>(options.time_samples + options.doubt_samples);
        if (count <= static_cast<std::size_t>(std::max(0, options.exact_doubt_limit)) &&
            tally.in_doubt(options.clear_lead, both)) {
          tally_exactly();
        }
      }
    } else {
      covered = sample_windows(spans, i, j, options.windows, options.window_spans,
                               [&](const Span& span, double weight) { tally.add(span, weight); });
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

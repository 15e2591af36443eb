// Folding of sub-pixel spans into draw items; see level_of_detail.hpp.
#include "viz/level_of_detail.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace gilsim::viz {

using trace::Span;

std::size_t first_span_ending_after(std::span<const Span> spans, Time t) {
  return static_cast<std::size_t>(
      std::upper_bound(spans.begin(), spans.end(), t, [](Time v, const Span& s) { return v < s.end; }) -
      spans.begin());
}

namespace {

/// Tallies time per state and per subject over the spans of one fold.
class Tally {
 public:
  void add(const Span& s, double weight) {
    by_state_[static_cast<std::size_t>(s.state)] += weight;
    for (auto& [subject, w] : by_subject_) {
      if (subject == s.subject) {
        w += weight;
        return;
      }
    }
    if (by_subject_.size() < 16) by_subject_.push_back({s.subject, weight});
  }
  trace::SpanState state() const {
    return static_cast<trace::SpanState>(std::max_element(by_state_.begin(), by_state_.end()) - by_state_.begin());
  }
  std::uint32_t subject() const {
    auto best = std::max_element(by_subject_.begin(), by_subject_.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
    return best == by_subject_.end() ? trace::kNone : best->first;
  }

 private:
  std::array<double, trace::kSpanStateCount> by_state_{};
  std::vector<std::pair<std::uint32_t, double>> by_subject_;
};

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

void build_draw_items(std::span<const Span> spans, const TimeView& view,
                      std::vector<DrawItem>& out, const LodOptions& options) {
  const Time view_end = view.end();
  const double bucket_ns = std::max(1.0, options.min_px * view.ns_per_px());
  const auto wide = [&](const Span& s) {
    return static_cast<double>(s.duration().ns()) >= bucket_ns;
  };
  std::size_t i = first_span_ending_after(spans, view.start());
  while (i < spans.size() && spans[i].begin < view_end) {
    const Span& s = spans[i];
    if (wide(s)) {
      out.push_back(single(s, i, view));
      ++i;
      continue;
    }
    // Buckets sit on a fixed time grid, so panning never regroups spans (no shimmer).
    const double bucket = std::floor(static_cast<double>(s.begin.ns()) / bucket_ns);
    const Time bucket_end{static_cast<std::int64_t>(std::ceil((bucket + 1) * bucket_ns))};
    auto stop = std::lower_bound(spans.begin() + static_cast<std::ptrdiff_t>(i), spans.end(), bucket_end,
                                 [](const Span& x, Time v) { return x.begin < v; });
    std::size_t j = static_cast<std::size_t>(stop - spans.begin());
    if (j - i > 1 && wide(spans[j - 1])) --j;  // a wide span starting in the bucket is drawn alone
    if (j - i == 1) {
      DrawItem item = single(s, i, view);
      item.x1 = std::max(item.x1, item.x0 + 1.0);  // a lone narrow span still shows as a hairline
      out.push_back(item);
      i = j;
      continue;
    }
    Tally tally;
    const std::size_t count = j - i;
    const std::size_t limit = static_cast<std::size_t>(std::max(2, options.exact_limit));
    if (count <= limit) {
      for (std::size_t k = i; k < j; ++k) tally.add(spans[k], static_cast<double>(spans[k].duration().ns()));
    } else {
      for (std::size_t n = 0; n < limit; ++n) {
        const Span& sample = spans[i + n * (count - 1) / (limit - 1)];
        tally.add(sample, static_cast<double>(sample.duration().ns()));
      }
    }
    DrawItem item;
    item.x0 = std::max(-1.0, view.x_of(s.begin));
    item.x1 = std::min(view.width_px() + 1, std::max(view.x_of(spans[j - 1].end), item.x0 + 1.0));
    item.state = tally.state();
    item.subject = tally.subject();
    item.first_span = static_cast<std::uint32_t>(i);
    item.span_count = static_cast<std::uint32_t>(count);
    out.push_back(item);
    i = j;
  }
}

}  // namespace gilsim::viz

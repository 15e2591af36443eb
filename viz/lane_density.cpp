// State counts per pixel column; see lane_density.hpp.
#include "viz/lane_density.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "sim/trace/outcomes.hpp"
#include "viz/hit_test.hpp"
#include "viz/level_of_detail.hpp"
#include "viz/palette.hpp"

namespace gilsim::viz {

namespace {
constexpr std::size_t kStates = trace::kSpanStateCount;
}

void LaneDensity::reset(const TimeView& view, int columns) {
  view_ = view;
  columns_ = std::max(0, columns);
  values_.assign(static_cast<std::size_t>(columns_) * kStates, 0.0f);
  edges_.assign(static_cast<std::size_t>(columns_ + 1) * kStates, 0.0f);
}

void LaneDensity::add(const trace::SpanStore& spans, bool weight_by_subject) {
  if (columns_ == 0) return;
  const Time view_end = view_.time_at(columns_);
  const double right = columns_;
  for (std::size_t i = first_span_ending_after(spans, view_.start()); i < spans.size() && spans[i].begin < view_end;
       ++i) {
    const trace::Span& s = spans[i];
    const double x0 = std::clamp(view_.x_of(s.begin), 0.0, right);
    const double x1 = std::clamp(view_.x_of(s.end), 0.0, right);
    if (x1 <= x0) continue;
    const float w = weight_by_subject ? static_cast<float>(s.subject) : 1.0f;
    const std::size_t state = static_cast<std::size_t>(s.state);
    const int c0 = std::min(columns_ - 1, static_cast<int>(x0));
    const int c1 = static_cast<int>(x1);  // may equal columns_
    if (c0 == c1 || (c1 == columns_ && c0 == columns_ - 1)) {
      values_[static_cast<std::size_t>(c0) * kStates + state] += w * static_cast<float>(x1 - x0);
      continue;
    }
    values_[static_cast<std::size_t>(c0) * kStates + state] += w * static_cast<float>(c0 + 1 - x0);
    if (c1 < columns_) values_[static_cast<std::size_t>(c1) * kStates + state] += w * static_cast<float>(x1 - c1);
    // Whole columns c0 + 1 .. c1 - 1.
    edges_[static_cast<std::size_t>(c0 + 1) * kStates + state] += w;
    edges_[static_cast<std::size_t>(c1) * kStates + state] -= w;
  }
}

void LaneDensity::add(const StateCounts& counts) {
  for (std::size_t state = 0; state < kStates; ++state) {
    const auto st = static_cast<trace::SpanState>(state);
    if (!counts.has(st)) continue;
    // Column c spans [c, c + 1) px: its average is the integral across it over its width.
    std::size_t cursor = 0;
    StateCounts::Integral left = counts.integral(st, view_.start_ns(), cursor);
    for (int c = 0; c < columns_; ++c) {
      const StateCounts::Integral right = counts.integral(st, view_.start_ns() + (c + 1) * view_.ns_per_px(), cursor);
      values_[static_cast<std::size_t>(c) * kStates + state] +=
          static_cast<float>(StateCounts::between(left, right) / view_.ns_per_px());
      left = right;
    }
  }
}

void LaneDensity::finish() {
  std::array<float, kStates> running{};
  for (int c = 0; c < columns_; ++c) {
    for (std::size_t s = 0; s < kStates; ++s) {
      running[s] += edges_[static_cast<std::size_t>(c) * kStates + s];
      values_[static_cast<std::size_t>(c) * kStates + s] += running[s];
    }
  }
}

float LaneDensity::total(int c) const {
  float sum = 0;
  for (std::size_t s = 0; s < kStates; ++s) sum += values_[static_cast<std::size_t>(c) * kStates + s];
  return sum;
}

std::string group_breakdown(const trace::Trace& trace, std::span<const trace::LaneId> members, Time t) {
  std::array<int, kStates> count{};
  int idle = 0;
  for (trace::LaneId l : members) {
    if (l >= trace.lanes.size()) continue;
    const auto& spans = trace.lanes[l].spans;
    if (const auto s = span_at(spans, t)) {
      ++count[static_cast<std::size_t>(spans[*s].state)];
    } else {
      ++idle;
    }
  }
  std::string text = fmt::format("at {}:", t);
  const char* sep = " ";
  for (const LegendEntry& e : legend_entries()) {
    const int n = count[static_cast<std::size_t>(e.state)];
    if (n == 0) continue;
    text += fmt::format("{}{} {}", sep, trace::group_digits(n), e.label);
    sep = ", ";
  }
  if (idle > 0) text += fmt::format("{}{} idle", *sep == ' ' ? " " : "; ", trace::group_digits(idle));
  return text;
}

}  // namespace gilsim::viz

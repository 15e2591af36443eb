// The first drawing phase: the visible spans of one lane become draw items. Spans narrower
// than a couple of pixels fold into one item that shows the dominant state (or holder), so
// a frame costs in proportion to the pixels on screen, not to the spans in the trace.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/trace/trace.hpp"
#include "viz/time_view.hpp"

namespace gilsim::viz {

struct DrawItem {
  double x0 = 0;  ///< pixels from the timeline's left edge, clipped to the view
  double x1 = 0;
  trace::SpanState state = trace::SpanState::Running;  ///< dominant state when folded
  std::uint32_t subject = trace::kNone;                ///< dominant subject when folded
  std::uint32_t first_span = 0;                        ///< index into the lane's spans
  std::uint32_t span_count = 1;                        ///< more than one: a folded item

  bool folded() const { return span_count > 1; }
};

struct LodOptions {
  double min_px = 2.0;      ///< spans narrower than this fold together
  int exact_limit = 64;     ///< a fold with more spans than this samples them
};

/// Index of the first span that ends after `t` (spans are sorted and non-overlapping).
std::size_t first_span_ending_after(std::span<const trace::Span> spans, Time t);

/// Appends the draw items of `spans` visible in `view` to `out`. A folded item carries the
/// state and the subject (thread running or holding) that take most of its time.
void build_draw_items(std::span<const trace::Span> spans, const TimeView& view,
                      std::vector<DrawItem>& out, const LodOptions& options = {});

}  // namespace gilsim::viz

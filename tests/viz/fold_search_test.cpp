// A fold's end is found from a guess (the last fold's length): where the guess falls short
// of the end or past it, every fold still holds the spans of its bucket and no more.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "viz/level_of_detail.hpp"

using namespace gilsim;
using namespace gilsim::viz;

namespace {

/// Bursts of 1 ns spans, 2 ns apart, one burst per 1,000 ns, of 1 to 97 spans in no order;
/// every seventh burst ends with a span of 900 ns (wide at the views below).
trace::SpanStore bursts() {
  trace::SpanStore spans;
  for (std::int64_t b = 0; b < 500; ++b) {
    const std::int64_t count = b * 37 % 97 + 1;
    for (std::int64_t k = 0; k < count; ++k) {
      const Time at{b * 1000 + k * 2};
      spans.push_back({at, at + Time{1}, trace::kNone, trace::kNoStep, trace::SpanState::Running});
    }
    if (b % 7 == 3) spans.push_back({Time{b * 1000 + 198}, Time{b * 1000 + 998}, trace::kNone, trace::kNoStep, trace::SpanState::Sleeping});
  }
  return spans;
}

}  // namespace

TEST_CASE("each fold holds the spans that begin in its bucket, found from the last fold's length") {
  const trace::SpanStore spans = bursts();
  for (const double ns_per_px : {500.0, 1000.0, 1700.0}) {
    CAPTURE(ns_per_px);
    TimeView view;
    view.set_width(1000);
    view.set(0, ns_per_px);
    std::vector<DrawItem> items;
    const LodOptions options;
    build_draw_items(spans, view, items, options);
    const double bucket_ns = options.min_px * ns_per_px;
    const auto wide = [&](std::size_t k) { return static_cast<double>(spans[k].duration().ns()) >= bucket_ns; };
    std::size_t next = 0, folds = 0;
    for (const DrawItem& item : items) {
      REQUIRE(item.first_span == next);  // every span once, in order
      next = item.first_span + item.span_count;
      if (item.span_count == 1 && wide(item.first_span)) continue;
      // The bucket of the fold's first span: its spans begin in it; the span after it begins
      // past it, or is a wide span drawn alone.
      const double bucket = std::floor(static_cast<double>(spans[item.first_span].begin.ns()) / bucket_ns);
      const Time bucket_end{static_cast<std::int64_t>(std::ceil((bucket + 1) * bucket_ns))};
      CHECK(spans[next - 1].begin < bucket_end);
      if (next < spans.size()) CHECK((spans[next].begin >= bucket_end || wide(next)));
      folds += item.span_count > 1;
    }
    CHECK(next == spans.size());
    CHECK(folds > 100);
  }
}

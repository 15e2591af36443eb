// The first drawing phase: the visible spans of one lane become draw items. Spans narrower
// than a couple of pixels fold into one item that shows the dominant state (or holder) and
// how much of its pixels the spans cover, so a frame costs in proportion to the pixels on
// screen, not to the spans in the trace, and sparse activity still looks sparse.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
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
  float coverage = 1;  ///< share of the item's pixels that its spans cover (1: solid)
  /// Folded: the state of most time after `state`, and its share of the spans' time, so a
  /// thread running a quarter of each pixel shows a quarter of green under its waiting, not
  /// none (lesson 11's old GIL: its threads' sub-pixel runs read as all waiting).
  trace::SpanState minor_state = trace::SpanState::Running;
  float minor_share = 0;

  bool folded() const { return span_count > 1; }
};

struct LodOptions {
  double min_px = 2.0;      ///< spans narrower than this fold together
  int exact_limit = 24;            ///< a fold with more spans than this is sampled:
  std::size_t time_samples = 24;   ///< by this many instants, with the lane's prefix,
  double clear_lead = 2.0;         ///< and when the leader has less than this times the runner-up's
  std::size_t doubt_samples = 48;  ///< time in them, this many more;
  int exact_doubt_limit = 4096;    ///< still close after them, read span by span up to this many
  std::size_t windows = 12;        ///< else by this many windows
  std::size_t window_spans = 4;    ///< of this many consecutive spans
};

/// Index of the first span that ends after `t` (spans are sorted and non-overlapping).
std::size_t first_span_ending_after(const trace::SpanStore& spans, Time t);

/// Running sums of span durations: element i is the time covered by spans [0, i), so the
/// time a fold covers costs two reads, however many spans it holds. `each` sees every span on
/// the way, for other sums made in the same reading of the lane.
template <class EachSpan>
std::vector<std::int64_t> covered_time_prefix(const trace::SpanStore& spans, EachSpan&& each) {
  std::vector<std::int64_t> prefix(spans.size() + 1, 0);
  std::int64_t covered = 0;
  std::size_t i = 0;
  for (const trace::Span& s : spans) {
    prefix[++i] = covered += s.duration().ns();
    each(s);
  }
  return prefix;
}
inline std::vector<std::int64_t> covered_time_prefix(const trace::SpanStore& spans) {
  return covered_time_prefix(spans, [](const trace::Span&) {});
}

/// Appends the draw items of `spans` visible in `view` to `out`. A folded item carries the
/// state and the subject (thread running or holding) that take most of its time, and its
/// coverage: exact with `prefix` (from covered_time_prefix), estimated from samples without.
void build_draw_items(const trace::SpanStore& spans, const TimeView& view,
                      std::vector<DrawItem>& out, const LodOptions& options = {},
                      std::span<const std::int64_t> prefix = {});

/// Whether a kind of mark gets a glyph on the timeline (the others live in the narrative).
bool has_glyph(trace::MarkKind kind);

/// Per lane, the indices into trace.marks of its marks that get a glyph, in time order, in
/// one reading of the marks.
struct LaneMarks {
  std::vector<std::vector<std::uint32_t>> glyphs;    ///< per lane: marks drawn as glyphs, but job ends
  std::vector<std::vector<std::uint32_t>> job_ends;  ///< per lane: job-done dots (drawn 2 px apart)
  /// per lane: of its glyphs, those a folded window shows before any other (tells_outcome)
  std::vector<std::vector<std::uint32_t>> telling;
  std::array<bool, trace::kMarkKindCount> kinds{};   ///< which kinds the run has (for the legend)
};
/// A mark that tells a run's outcome (a lost update, a deadlock's edge): where marks too close
/// to draw apart fold into one glyph, it is the one drawn, so zooming out never hides it.
bool tells_outcome(trace::MarkKind kind);
LaneMarks marks_by_lane(const trace::Trace& trace);
/// marks_by_lane, calling `also(i, mark)` for each mark in the same reading: other indices of
/// the marks made beside it (the viewer's indexing of a whole run). The marks are decoded
/// once: each one's lane and glyph kind are kept, 4 bytes a mark, for the lists' filling.
template <class Also>
LaneMarks marks_by_lane(const trace::Trace& trace, Also&& also) {
  LaneMarks out;
  const std::size_t lanes = trace.lanes.size();
  out.glyphs.resize(lanes);
  out.job_ends.resize(lanes);
  out.telling.resize(lanes);
  // Counted first: one allocation per lane instead of a doubling series (400,000 marks).
  std::vector<std::uint32_t> glyphs(lanes, 0), job_ends(lanes, 0);
  // Per mark: its lane four times, 2 for a telling mark, 1 for a job end, or kNone for no
  // glyph (not zeroed first).
  const std::unique_ptr<std::uint32_t[]> lane_of(new std::uint32_t[trace.marks.size()]);
  trace.marks.for_each([&](std::size_t i, const trace::Mark& m) {
    also(i, m);
    out.kinds[static_cast<std::size_t>(m.kind)] = true;
    std::uint32_t code = trace::kNone;
    if (m.lane < lanes && has_glyph(m.kind)) {
      const bool job_end = m.kind == trace::MarkKind::JobEnd;
      ++(job_end ? job_ends : glyphs)[m.lane];
      code = m.lane << 2 | static_cast<std::uint32_t>(tells_outcome(m.kind)) << 1 | static_cast<std::uint32_t>(job_end);
    }
    lane_of[i] = code;
  });
  for (std::size_t l = 0; l < lanes; ++l) {
    out.glyphs[l].reserve(glyphs[l]);
    out.job_ends[l].reserve(job_ends[l]);
  }
  for (std::size_t i = 0; i < trace.marks.size(); ++i) {
    const std::uint32_t code = lane_of[i];
    if (code == trace::kNone) continue;
    ((code & 1) != 0 ? out.job_ends : out.glyphs)[code >> 2].push_back(static_cast<std::uint32_t>(i));
    if ((code & 2) != 0) out.telling[code >> 2].push_back(static_cast<std::uint32_t>(i));
  }
  return out;
}

/// Appends to `out` the marks of one lane (indices from marks_by_lane) to draw in
/// `view`: at most one every `min_gap_px`, found by binary search, so dense marks cost
/// in proportion to the pixels, not to the marks. A mark at least `min_gap_px` from the
/// mark before it is always drawn. Returns how many visible marks were folded (not drawn).
/// Marks folded together draw their first, or the first of `telling` (a subset of
/// `lane_marks`, LaneMarks::telling) among them.
std::size_t visible_marks(const trace::Trace& trace, const std::vector<std::uint32_t>& lane_marks,
                          const TimeView& view, double min_gap_px, std::vector<std::uint32_t>& out,
                          const std::vector<std::uint32_t>& telling = {});

/// How many of one lane's marks (indices sorted by time) fall inside `view`: a count by
/// binary search, for rows that fold their lanes and say how many marks they hide.
std::size_t marks_in_view(const trace::Trace& trace, const std::vector<std::uint32_t>& lane_marks, const TimeView& view);

}  // namespace gilsim::viz

// The second drawing phase: draw items, marks, the time axis, the playhead and the lock
// token become ImDrawList calls. No decisions about what is visible are made here.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <imgui.h>

#include "sim/trace/trace.hpp"
#include "viz/lane_density.hpp"
#include "viz/level_of_detail.hpp"
#include "viz/lost_races.hpp"
#include "viz/time_ticks.hpp"

namespace gilsim::viz::ui {

/// Where a lane is drawn on screen: its left edge is time-view x = 0.
struct LaneBox {
  float left = 0, top = 0, right = 0, bottom = 0;
};

/// Which colour an item of this lane takes: state colours for threads and tasks, the
/// running thread's identity colour for cores and GIL lanes.
struct LaneColouring {
  const trace::Trace* run = nullptr;
  const std::vector<std::uint32_t>* identity = nullptr;  ///< lane -> thread ordinal
};

ImU32 item_colour(const LaneColouring& c, trace::LaneKind kind, const DrawItem& item);

/// Items fill the lane's height in proportion to their coverage: a column that was busy 3%
/// of its time is a sliver at the bottom, not a solid bar. Threads past the eighth share
/// a colour and are told apart by stripes (identity_pattern).
/// A label moves right of what would cover it, `keep_clear` (screen x ranges sorted by their
/// left ends: the GIL badge over the row, token_extent, and the lane's marks, mark_extent),
/// or is left out; each label drawn goes to `labels` (its screen rectangle, cut at the bar's
/// end) when given.
void paint_lane_items(ImDrawList* dl, const LaneColouring& c, const trace::Lane& lane,
                      const std::vector<DrawItem>& items, const LaneBox& box,
                      std::span<const std::pair<float, float>> keep_clear = {},
                      std::vector<LaneBox>* labels = nullptr);

/// Diagonal stripes over [a, b]: pattern 1 one way, 2 the other, 3 both.
void paint_stripes(ImDrawList* dl, ImVec2 a, ImVec2 b, int pattern);

/// A thread's colour square over [a, b], its stripes too past the eighth thread: a lane's
/// label, the playhead panel, a waiter's chip. Grey for `ordinal` kNone (no thread's colour).
void paint_identity_swatch(ImDrawList* dl, ImVec2 a, ImVec2 b, std::uint32_t ordinal);

/// The hatch of waiting for the GIL over [a, b]: thin white rising lines, the same on a
/// thread's bar, in the GIL lane's band of waiters and in the legend, so that the state is
/// told from waiting for a core (orange) without its colour, in grey or by colour-blind eyes.
void paint_wait_hatch(ImDrawList* dl, ImVec2 a, ImVec2 b);

/// An aggregate row: per pixel column, a stack of the states its lanes are in, scaled so
/// all `lanes` fill the row, under a faint line at that full height.
void paint_density(ImDrawList* dl, const LaneDensity& density, float lanes, const LaneBox& box);

/// A counter strip: per pixel column, `value(c)` out of `max` as a filled graph.
void paint_counter(ImDrawList* dl, const LaneDensity& density, float max, ImU32 colour, const LaneBox& box);

/// A band at the bottom of a GIL lane where threads wait for it (subject = how many): a
/// counter, as tall as the waiters out of `most` (one waiter of three: a third).
void paint_contention(ImDrawList* dl, const std::vector<DrawItem>& items, std::uint32_t most, const LaneBox& box);

/// Over an inferred GIL lane where threads waited and no holder was seen (unseen_holder's
/// stretches): grey, hatched, "holder not seen" inside where it fits. Returns the screen x
/// ranges it covers, for a tooltip.
void paint_unseen_holder(ImDrawList* dl, const std::vector<DrawItem>& items, const LaneBox& box,
                         std::vector<std::pair<float, float>>* covered = nullptr);

/// A deadlocked run's lane after its end, from screen x `x0` to the box's right edge: `fill`
/// (the thread's "waiting for a lock", or the lock's holder) under black cross-hatching, and
/// `label` inside on white where it fits, right of `keep_clear` (screen x ranges sorted by left
/// end: the GIL badge and the marks over the lane). What the legend's "deadlocked" sample shows.
/// Returns where the label is written, if it is.
std::optional<LaneBox> paint_deadlocked(ImDrawList* dl, float x0, ImU32 fill, const LaneBox& box,
                                        const std::string& label = {},
                                        std::span<const std::pair<float, float>> keep_clear = {});

/// Over a run's rows from x0 to x1 where none of its jobs ran and the recording traced
/// nothing (a CPython pool's pickles and pipes): grey, hatched, so the empty lanes read as
/// unrecorded, not as idle.
void paint_unrecorded(ImDrawList* dl, float x0, float x1, float top, float bottom);

/// The old GIL's lost races at the top of a GIL lane: a tick each (a waiter woke, lost the
/// race, slept again), and where they are too close, a comb that says how many it holds,
/// written clear of `covered` (screen x ranges drawn over the lane after it: the waiters'
/// chips, the GIL badge, the playhead; band_label_left). Returns where the count is written.
std::optional<LaneBox> paint_lost_races(ImDrawList* dl, const LostRaces& races, const LaneBox& box,
                                        std::span<const std::pair<float, float>> covered = {});

/// One mark glyph centred at x in the lane box. `compact`: a mark with no room to be drawn
/// apart from its neighbours, drawn small on the lane's edge (the top; preemptions and
/// job-done dots the bottom), so the state under dense marks still reads (lesson 1's threads
/// were diamonds and triangles over their green slices).
void paint_mark(ImDrawList* dl, trace::MarkKind kind, float x, const LaneBox& box, bool compact = false);

/// The screen x range paint_mark covers for a mark at x.
std::pair<float, float> mark_extent(trace::MarkKind kind, float x, const LaneBox& box, bool compact = false);
/// The screen y range paint_mark covers in the lane box.
std::pair<float, float> mark_band(trace::MarkKind kind, const LaneBox& box, bool compact = false);

/// Which of a lane's marks at screen x `xs` (in time order, of one family: glyphs or job-done
/// dots) are compact: those whose full glyph (`widths`, mark_extent's) would come within
/// 2 px of the glyph of the mark before or after it.
std::vector<bool> compact_marks(const std::vector<float>& xs, const std::vector<float>& widths);

/// The ticks, and each label where place_labels put it.
void paint_axis(ImDrawList* dl, const std::vector<Tick>& ticks, const LaneBox& box);

/// The lock token: a rounded "GIL" badge in the holder's colour.
void paint_token(ImDrawList* dl, ImVec2 centre, float height, ImU32 fill, bool held);

/// A waiter's chip on a GIL lane at the playhead (who waits, for how long): white, outlined in
/// the waiting colour, the waiter's colour square (paint_identity_swatch of `swatch`, a thread
/// ordinal; none without one) before `text` at font size `font`.
void paint_queue_chip(ImDrawList* dl, ImVec2 a, ImVec2 b, std::optional<std::uint32_t> swatch, const char* text, float font);
/// How wide paint_queue_chip draws `text` between rows `height` tall, with a swatch or not.
float queue_chip_width(const char* text, float font, float height, bool swatch);

/// The screen x range paint_token covers (its shadow included) for a token at x.
std::pair<float, float> token_extent(float x);

}  // namespace gilsim::viz::ui

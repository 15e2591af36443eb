// The second drawing phase: draw items, marks, the time axis, the playhead and the lock
// token become ImDrawList calls. No decisions about what is visible are made here.
#pragma once

#include <vector>

#include <imgui.h>

#include "sim/trace/trace.hpp"
#include "viz/level_of_detail.hpp"
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

/// Debian's Dear ImGui indexes a draw list's vertices with 16 bits and its OpenGL2 renderer
/// cannot offset them, so a window's draw list must stay under 65,536 vertices. Past the
/// detail budget, lanes are painted as plain filled spans (no outlines, labels, hatching or
/// glyphs); past the hard budget, a lane is left empty rather than abort the viewer.
inline constexpr unsigned kDetailVertexBudget = 36'000;
inline constexpr unsigned kHardVertexBudget = 60'000;
inline bool room_for_detail(const ImDrawList* dl) { return dl->_VtxCurrentIdx < kDetailVertexBudget; }
inline bool room_for_lane(const ImDrawList* dl, std::size_t items) {
  return dl->_VtxCurrentIdx + 4 * items < kHardVertexBudget;
}

void paint_lane_items(ImDrawList* dl, const LaneColouring& c, const trace::Lane& lane,
                      const std::vector<DrawItem>& items, const LaneBox& box);

/// A band at the bottom of a GIL lane where threads wait for it (subject = how many).
void paint_contention(ImDrawList* dl, const std::vector<DrawItem>& items, const LaneBox& box);

/// One mark glyph centred at x in the lane box.
void paint_mark(ImDrawList* dl, trace::MarkKind kind, float x, const LaneBox& box);

void paint_axis(ImDrawList* dl, const std::vector<Tick>& ticks, const LaneBox& box);

/// The lock token: a rounded "GIL" badge in the holder's colour.
void paint_token(ImDrawList* dl, ImVec2 centre, float height, ImU32 fill, bool held);

}  // namespace gilsim::viz::ui

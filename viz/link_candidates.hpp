// Which hand-off links the timeline may draw: a link is drawn only where its asker has a row,
// so where most threads are folded away (1,000 threads in one aggregate row) the links are
// found from the shown lanes' drop requests, in proportion to those, not to every hand-off in
// view.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/trace/trace.hpp"
#include "viz/handoff_links.hpp"

namespace gilsim::viz {

/// Appends to `out` (cleared first), in time order, the indices into `links` (handoff_links of
/// `run`, in the order of their drop requests) of the links asked in [from, to) whose asker
/// may be one of `shown`: every such link, and where most askers are shown, the others too
/// (the caller checks each link's lanes). `glyph_marks`: marks_by_lane's glyphs of `run`.
void links_to_draw(const trace::Trace& run, const std::vector<HandoffLink>& links,
                   const std::vector<std::vector<std::uint32_t>>& glyph_marks, std::span<const trace::LaneId> shown,
                   Time from, Time to, std::vector<std::uint32_t>& out);

}  // namespace gilsim::viz

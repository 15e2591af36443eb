// Input on the timeline's rows: wheel zoom, drag pan, hover tooltips, click to select a
// span, click a run header to collapse or expand it (double-click: focus on it), click a
// folded group's name to show each of its lanes.
#pragma once

#include <string>

#include <imgui.h>

#include "viz/app_state.hpp"

namespace gilsim::viz::ui {

/// Where the rows were drawn this frame, and how the folding was.
struct TimelineInput {
  const TimelineLayout& layout;
  const std::vector<RunFolding>& folding;  ///< as drawn (fit and focus applied)
  ImVec2 content;    ///< screen position of the first row's top-left (before scrolling)
  float label_w = 0;
  float lanes_left = 0;  ///< screen x of time-view x = 0
  bool hovered = false;
  bool active = false;
};

void handle_timeline_input(AppState& app, const TimelineInput& input);

/// What a collapsed run's line that shows `group` draws, its hover's first line: "The run folded
/// to one line: its 4 worker processes, each running Python under a GIL of its own", or, for a
/// run that works off its GIL (lesson 6's threads), "its 4 threads, at work off the GIL, ...".
std::string folded_line_meaning(const trace::Trace& run, const LaneGroup& group);

/// What a waiter's chip at the playhead means, said on hover: "T2 2.66 ms: waiting for this GIL ...".
std::string queue_chip_meaning(const QueueChipDrawn& chip);

/// Collapses or expands `run` by hand: the fit stops deciding, the rest stays as shown.
void toggle_run(AppState& app, const std::vector<RunFolding>& shown, std::uint32_t run);
/// Shows `run` alone expanded (again: back to every run fitted).
void toggle_focus(AppState& app, std::uint32_t run);

}  // namespace gilsim::viz::ui

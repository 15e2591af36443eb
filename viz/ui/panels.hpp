// The viewer's panels. Each draws inside the ImGui window its caller opened and changes
// only the AppState it is given.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include <imgui.h>

#include "viz/app_state.hpp"

namespace gilsim::viz::ui {

/// Runs stacked on one time axis, with input: scrub, zoom, pan, hover, select.
void draw_timeline(AppState& app);
/// Per run at the playhead: GIL holder and waiters, cores, event loop, queued work (reads only).
void draw_playhead_state(const AppState& app);
/// The marks' why lines, following the playhead `now`, under a header row with the panel's
/// name and its filter. Returns the time of a line clicked (the caller seeks there).
std::optional<Time> draw_narrative(const std::vector<trace::Trace>& runs, const std::vector<RunIndex>& index, Time now,
                                   NarrativePanel& panel);
/// Makespan, speedup, utilisation, contention per run: a bar chart and a table (reads only).
void draw_numbers(const AppState& app);
/// Bundled scenarios, open a file, the teaching note, the classroom knobs.
void draw_scenario_panel(AppState& app);
/// "Run for real": button, progress and Cancel, and each run's outcome (in the scenario panel).
void draw_real_runs(AppState& app);
/// The toolbar's compact form: "Run for real", or a small progress bar and Cancel.
void draw_real_run_button(AppState& app);
/// A sweep: --vary fields, Run/Cancel, and its speed-up chart; a click opens a point.
void draw_sweep_panel(AppState& app);
/// Starts app.sweep's sweep on the open scenario and shows the panel (an error shows in it).
void start_sweep(AppState& app);
/// "Sweep this knob": a button per knob that starts its sweep and shows the panel.
void draw_sweep_knob_buttons(AppState& app);
/// What the inspector asks of the view: the playhead to a time, or a zoom to a range.
struct InspectorRequest {
  std::optional<Time> seek;
  std::optional<std::pair<Time, Time>> zoom;
};
/// The selected span in detail, with buttons that ask for the playhead or the zoom.
InspectorRequest draw_inspector(const std::vector<trace::Trace>& runs, const std::optional<SpanRef>& selected);
/// Colour swatches and mark glyphs, in one wrapped strip.
void draw_legend(AppState& app);
/// Play/pause, stepping, speed, zoom, scale, help, save.
void draw_toolbar(AppState& app);
/// Keyboard shortcuts; ignored while a text field has the keyboard.
void handle_shortcuts(AppState& app);
/// Every shortcut, over the whole window, while app.show_help.
void draw_help_overlay(AppState& app);

/// Tooltip text for a span, a few lines: lane, state, times, job and step, why.
std::string describe_span_detail(const trace::Trace& run, trace::LaneId lane, std::size_t span);

}  // namespace gilsim::viz::ui

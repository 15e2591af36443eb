// The viewer's panels. Each draws inside the ImGui window its caller opened, reads the
// narrow state it is given and returns what it asks for; the frame applies the requests.
// Only draw_timeline, the scenario panel's composer and the appliers take the whole AppState.
#pragma once

#include <array>
#include <cmath>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <imgui.h>

#include "viz/app_state.hpp"

namespace gilsim::viz::ui {

/// Runs stacked on one time axis, with input: scrub, zoom, pan, hover, select.
void draw_timeline(AppState& app);
/// A run's line collapsed at the tightest rows the timeline's fit uses (collapsed_run_height).
float tightest_run_line(float font, float scale, bool presenting);
/// Per run at the playhead: GIL holder and waiters, cores, event loop, queued work; a run
/// folded or opened here is so on the timeline too (the one folding per run).
void draw_playhead_state(AppState& app);
/// Presenting, the playhead panel's padding and the space between its lines, at UI scale
/// `scale`: about a pixel, as a wrapped line is to the one before it.
inline float playhead_panel_spacing(float scale) { return std::round(scale); }
/// The marks' why lines, following the playhead `now`, under a header row with the panel's
/// name and its filter. Returns the time of a line clicked (the caller seeks there). Each
/// line's instant is written to `resolution` (shown_resolution), or finer where the lines
/// beside it come sooner, so two instants never read alike.
std::optional<Time> draw_narrative(const std::vector<trace::Trace>& runs, const std::vector<RunIndex>& index, Time now,
                                   NarrativePanel& panel, Time resolution = Time{1'000});
/// Makespan, speedup, utilisation, contention per run: a bar chart and a table (reads only).
void draw_numbers(const AppState& app);
/// The Numbers panel's run table, as gilsim run's: a row per run in the timeline's order
/// (`order`), its cells (run, makespan, speedup, cores busy, GIL wait, switches), the shown
/// baselines a speed-up divides by that are not scored, with why ('?' marks those speed-ups),
/// and the measured runs not scored themselves, "'name' (why)" ('!' marks their makespans).
struct RunTable {
  std::vector<std::uint32_t> order;
  std::vector<std::array<std::string, 6>> cells;
  std::vector<std::pair<std::size_t, std::string>> doubtful_baselines;
  std::vector<std::string> unscored_runs;
};
RunTable run_table(const AppState& app);
/// The Numbers panel's "Predicted against measured" cells, a row per measured run that has a
/// prediction: its name, the two makespans, and the error or the command line's cell for it
/// ("both stopped", "not scored", "off pace*").
std::vector<std::array<std::string, 4>> prediction_cells(const AppState& app);
/// Bundled scenarios, open a file, the teaching note, the classroom knobs.
void draw_scenario_panel(AppState& app);
/// What the real-runs section reads: the measurement under way and its outcomes, the runs,
/// each run's prediction error (measured runs with a prediction), the axis clip.
struct RealRunsView {
  const Measuring& measuring;
  const Session& session;
  std::vector<std::optional<double>> errors;  ///< per run, as prediction_error_of says
  std::vector<std::optional<std::string>> not_scored;  ///< per run with a prediction, as not_scored says
  bool clip_measured = false;
};
RealRunsView real_runs_view(const AppState& app);
/// What the real-runs section or the toolbar's button asks for.
struct RealRunsRequest {
  std::optional<RealSource> start;      ///< measure every run, with these executors
  bool cancel = false;
  std::optional<bool> clip_measured;    ///< the axis ends with the predictions, or not
  bool predict_for_file_cores = false;  ///< leave the fit to this machine
};
/// "Run for real": button, progress and Cancel, and each run's outcome (in the scenario panel).
RealRunsRequest draw_real_runs(const RealRunsView& view);
/// The toolbar's compact form: "Run for real", or a small progress bar and Cancel.
RealRunsRequest draw_real_run_button(const Measuring& measuring);
void apply_real_runs(AppState& app, const RealRunsRequest& asked);
/// A sweep: --vary fields, Run/Cancel, and its speed-up chart. The panel owns `sweep` and
/// reads the session; a click on a point returns the knobs that open its timelines.
std::optional<Knobs> draw_sweep_panel(SweepView& sweep, const Session& session);
/// Starts `sweep`'s sweep on the session's scenario and shows the panel (an error shows in it).
void start_sweep(SweepView& sweep, const Session& session);
/// "Sweep this knob": a button per knob that starts its sweep and shows the panel.
void draw_sweep_knob_buttons(SweepView& sweep, const Session& session);
/// What the inspector asks of the view: the playhead to a time, or a zoom to a range.
struct InspectorRequest {
  std::optional<Time> seek;
  std::optional<std::pair<Time, Time>> zoom;
};
/// The selected span in detail, with buttons that ask for the playhead or the zoom.
InspectorRequest draw_inspector(const std::vector<trace::Trace>& runs, const std::optional<SpanRef>& selected);
/// Colour swatches and mark glyphs, in one strip wrapped at `width` (or the window's edge).
/// With `unseen_holder` (a run recorded in CPython), the inferred GIL's "holder not seen";
/// with `deadlocked` (a run ended in a deadlock), the hatching of its lanes drawn on (paint_deadlocked).
/// With `busy_cores` (presenting, where the strips carry no caption of their own), the
/// busy-cores strip under each run's name.
/// Returns the legend's top (screen y), where a timeline PNG starts.
float draw_legend(const std::array<bool, trace::kSpanStateCount>& states_seen,
                  const std::array<bool, trace::kMarkKindCount>& marks_seen, float width, bool unseen_holder = false,
                  bool deadlocked = false, bool busy_cores = false);
/// What the toolbar and the keys read: the playback and the view's switches.
struct ToolbarView {
  Time now, end;
  Time resolution{1};  ///< the playhead's time written to this step (shown_resolution)
  bool playing = false;
  double speed = 1;
  bool gil_events_only = false;
  bool align_ends = false;
  bool presentation = false;
  bool show_help = false, show_marks = true, show_legend = true;
  float ui_scale = 1;
  std::string_view status;  ///< last message ("saved x.png"), or empty
  const Measuring* measuring = nullptr;  ///< for the "Run for real" button; none: no button
};
ToolbarView toolbar_view(const AppState& app);
/// What the toolbar or a key asks of the viewer; apply_request carries it out.
struct ViewerRequest {
  bool toggle_play = false;
  int step = 0;                   ///< +1: to the next event, -1: to the previous one
  std::optional<Time> seek;       ///< the playhead there (Home, End)
  std::optional<double> speed;    ///< simulated seconds per real second
  bool fit = false;               ///< every run's whole time and rows on screen
  double zoom = 1;                ///< zoom factor around the playhead
  std::optional<bool> gil_events_only, align_ends, presentation, show_help, show_marks, show_legend;
  std::optional<float> ui_scale;
  std::optional<bool> ui_scale_held;  ///< whether the scale slider is being dragged (the toolbar says)
  bool clear_selection = false;
  bool save_png = false;
  RealRunsRequest real;
};
/// Play/pause, stepping, speed, zoom, scale, help, save. `group_widths` is the toolbar's
/// own memory: each group's width last frame, so groups wrap whole.
ViewerRequest draw_toolbar(const ToolbarView& view, std::array<float, 10>& group_widths);
/// Keyboard shortcuts; nothing while a text field has the keyboard.
ViewerRequest read_shortcuts(const ToolbarView& view);
void apply_request(AppState& app, const ViewerRequest& asked);
/// Every shortcut, over the whole window, while `open`.
/// Returns whether it is still open (its close button shuts it).
bool draw_help_overlay(bool open);

/// Tooltip text for a span, a few lines: lane, state, times, job and step, why.
std::string describe_span_detail(const trace::Trace& run, trace::LaneId lane, std::size_t span);

}  // namespace gilsim::viz::ui

// Everything the viewer knows between frames: the session (scenario and runs), what is
// derived from the runs (indices, narrative, GIL contention), and the view state (zoom,
// playhead, selection, scale). A frame is a function of this state; the panels change it.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/trace/metrics.hpp"
#include "viz/measuring.hpp"
#include "viz/narrative.hpp"
#include "viz/playback.hpp"
#include "viz/playhead_state.hpp"
#include "viz/session.hpp"
#include "viz/sweep_runner.hpp"
#include "viz/time_view.hpp"
#include "viz/timeline_layout.hpp"

namespace gilsim::viz {

/// A span picked with the mouse.
struct SpanRef {
  std::uint32_t run = trace::kNone;
  trace::LaneId lane = trace::kNone;
  std::size_t span = 0;

  bool valid() const { return run != trace::kNone; }
  bool operator==(const SpanRef&) const = default;
};

/// Per process of a run: when and how many threads wait for its GIL, as spans whose
/// `subject` is the number of waiters, so the GIL lane can be shaded through the same
/// level-of-detail pass as any lane.
struct GilContention {
  trace::ProcessId process = 0;
  std::vector<trace::Span> spans;
};
std::vector<GilContention> gil_contention(const trace::Trace& run);

/// What is derived from one run, rebuilt only when the runs change.
struct RunIndex {
  trace::Metrics metrics;
  PlayheadIndex playhead;
  std::vector<GilContention> contention;
  std::uint32_t predicted_by = trace::kNone;  ///< a measured run: the simulated run of its name
  std::vector<std::uint32_t> identity;  ///< per lane: its thread ordinal (colour), kNone if not a thread
  std::vector<std::vector<std::uint32_t>> glyph_marks;  ///< per lane: marks drawn as glyphs
};

struct BundledScenario {
  std::filesystem::path path;
  std::string title;
};

struct ScreenshotRequest {
  std::string path;
  bool timeline_only = false;
};

struct AppState {
  Session session;
  Measuring measuring;  ///< real runs on a background thread; declared after the session it feeds
  SweepView sweep;      ///< the sweep panel: its background sweep and its chart
  std::uint64_t derived_generation = 0;
  std::uint64_t derived_scenario_generation = 0;
  std::vector<RunIndex> runs;
  EventIndex events;
  Narrative narrative;
  NarrativeFilter narrative_filter;
  bool narrative_dirty = true;
  std::array<bool, trace::kSpanStateCount> states_seen{};  ///< which states the runs use (for the legend)
  std::array<bool, trace::kMarkKindCount> marks_seen{};
  std::vector<BundledScenario> bundled;
  std::string path_field;

  TimeView view;
  bool fit_pending = true;       ///< fit the whole time range once the width is known
  std::optional<std::pair<Time, Time>> fit_range;  ///< fit this range instead, once
  bool follow_playhead = true;   ///< page the view to keep the playhead visible while playing
  Playback playback;
  bool gil_events_only = false;  ///< arrow keys step between GIL events only
  LayoutOptions layout;
  float scroll_y = 0;

  std::optional<SpanRef> hovered;
  std::optional<SpanRef> selected;
  std::vector<std::vector<float>> token_y;  ///< per run and process: the lock token's animated row

  float ui_scale = 1.0f;
  bool presentation = false;
  bool show_help = false;
  bool show_marks = true;
  bool show_legend = true;
  std::optional<ScreenshotRequest> screenshot;
  std::string status;           ///< last message shown in the toolbar ("saved x.png")
  double status_age = 0;
  bool quit = false;
  double frame_seconds = 0;     ///< wall time since the previous frame
  // Panel bookkeeping between frames (kept here, not in statics: the app owns all state).
  std::ptrdiff_t narrative_followed = -2;   ///< story line last scrolled to
  std::optional<SpanRef> inspector_shown;   ///< selection the inspector tab last jumped to
  std::array<float, 10> toolbar_widths{};   ///< each toolbar group's width, last frame
  /// Where the timeline was last drawn (screen pixels), for "save the timeline as PNG".
  float timeline_rect[4] = {0, 0, 0, 0};
};

/// Rebuilds what derives from the runs when the session produced new ones; keeps the
/// playhead and zoom when the time range still makes sense.
void refresh_derived(AppState& app);

/// For a measured run: the simulated run of the same name (its prediction), or kNone.
std::uint32_t prediction_of(const std::vector<trace::Trace>& runs, std::uint32_t measured);

/// The latest end across runs: the shared time axis runs from 0 to here.
Time total_end(const std::vector<trace::Trace>& runs);

/// Loads the titles of the bundled scenarios for the scenario panel.
std::vector<BundledScenario> list_bundled_scenarios();

}  // namespace gilsim::viz

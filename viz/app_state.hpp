// Everything the viewer knows between frames: the session (scenario and runs), what is
// derived from the runs (indices, narrative, GIL contention), and the view state (zoom,
// playhead, selection, scale). A frame is a function of this state; the panels change it.
#pragma once

#include <any>
#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sim/cpython/cpython_trace.hpp"
#include "sim/trace/metrics.hpp"
#include "viz/deadlock_tail.hpp"
#include "viz/handoff_links.hpp"
#include "viz/lent_thread.hpp"
#include "viz/lost_races.hpp"
#include "viz/measuring.hpp"
#include "viz/narrative.hpp"
#include "viz/playback.hpp"
#include "viz/playhead_state.hpp"
#include "viz/session.hpp"
#include "viz/state_counts.hpp"
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
  trace::SpanStore spans;
  std::uint32_t most_waiters = 0;  ///< the largest `subject`: the band's full height
};
std::vector<GilContention> gil_contention(const trace::Trace& run);
/// gil_contention from the waits compute_metrics read (`waits`, one per process of `run`).
std::vector<GilContention> gil_contention(const trace::Trace& run, std::vector<trace::GilWaitEdges> waits);
/// The same from the waits of its thread lanes read in parts (`parts`, each one per process):
/// their edges together.
std::vector<GilContention> gil_contention(const trace::Trace& run, std::vector<std::vector<trace::GilWaitEdges>> parts);

/// What is derived from one run, rebuilt only when the runs change.
struct RunIndex {
  trace::Metrics metrics;
  PlayheadIndex playhead;
  std::vector<GilContention> contention;
  std::uint32_t predicted_by = trace::kNone;  ///< a measured run: the simulated run of its name
  std::vector<std::uint32_t> identity;  ///< per lane: its thread ordinal (colour), kNone if not a thread
  std::vector<std::string> lane_labels; ///< per lane: its name with its role, "T1 ui"
  std::vector<std::vector<std::uint32_t>> glyph_marks;  ///< per lane: marks drawn as glyphs, but job ends
  std::vector<std::vector<std::uint32_t>> job_end_marks;  ///< per lane: job-done dots (drawn 2 px apart)
  std::vector<std::vector<std::uint32_t>> telling_marks;  ///< per lane: its glyphs that win a fold (tells_outcome)
  std::vector<std::vector<std::int64_t>> covered_prefix;  ///< per lane: covered_time_prefix of its spans
  std::vector<LaneGroup> groups;         ///< alike lanes that fold into one aggregate row
  trace::LaneId summary_lane = trace::kNone;  ///< what its collapsed line shows without a group (summary_lane)
  /// Per group, its members' states and its marks over time (a whole run's; a preview's rows
  /// read its lanes).
  std::vector<GroupIndex> group_index;
  std::vector<HandoffLink> handoffs;     ///< drop request -> drop -> new holder, by request time
  std::vector<std::vector<std::uint32_t>> races_lost;  ///< per GIL lane: the old GIL's RacesLost marks
  double interest = 0;                   ///< run_interest: which runs a fit opens first
  std::vector<std::string> outcomes;     ///< trace::outcome_lines, read by the numbers panel each frame
  bool deadlocked = false;               ///< trace::ended_in_deadlock: the run stopped in a deadlock
  std::vector<StuckLane> stuck;          ///< stuck_lanes: the cycle's lanes, drawn on to the right edge
  /// A CPython run's: cpython::too_little_seen, so it is not scored (score_caveat); it walks the
  /// whole trace, so once here, not per frame.
  std::optional<cpython::JobsSeen> unseen;
  std::array<bool, trace::kSpanStateCount> states_seen{};  ///< the states its spans use (the legend's)
  std::array<bool, trace::kMarkKindCount> marks_seen{};    ///< the kinds of its marks
};

/// The story panel's state between frames: it reads the runs, owns this, and asks for seeks.
struct NarrativePanel {
  Narrative narrative;
  NarrativeFilter filter;
  bool dirty = true;                 ///< rebuild the lines (new runs, a new filter)
  std::ptrdiff_t followed = -2;      ///< story line last scrolled to
  float lines_shown = 0;             ///< story lines the panel had room for, last frame
  float text_width = 0;              ///< room for a line's text, last frame
  float after_playhead_y = 0;        ///< screen y where the line after the playhead's began, last frame
  float playhead_line_y = 0;         ///< screen y where the playhead's line (its first row) began, last frame
  float list_top = 0, list_bottom = 0;  ///< the screen rows the list showed, last frame
  float taller = 0;                  ///< how much taller the playhead's lines shown whole were than a row each
};

/// An open run's header as drawn, in screen x: its busy-machine flag (empty when none), where
/// its text ends, where its folded-marks note starts (`right` when none), and whether the
/// text was cut short (the full text is then the header's tooltip).
struct HeaderDrawn {
  float flag_left = 0, flag_right = 0, text_right = 0, note_left = 0, right = 0;
  bool elided = false;
  float end_line = 0;  ///< a run that is a sliver at this zoom: screen x of the line at its end (0: none)
  std::string shown;  ///< the text drawn, cut where it was cut
};

/// A rectangle on screen, in pixels.
struct ScreenRect {
  float left = 0, top = 0, right = 0, bottom = 0;
};

/// A chip of a GIL's waiters drawn at the playhead ("T2 926 us", "+8 more", "10 waiting").
struct QueueChipDrawn {
  std::uint32_t run = 0;
  std::string text;
  bool named = false;  ///< a waiter's chip, not a count
  float left = 0, right = 0;
  float playhead = 0;  ///< the run's playhead's x
  float top = 0, bottom = 0;
  std::uint32_t ordinal = 0;  ///< a waiter's chip: its thread's colour (identity ordinal, kNone for grey)
};

/// The old GIL's lost races counted on a GIL lane as drawn ("112,261 races lost").
struct RaceCountDrawn {
  std::uint32_t run = 0;
  std::string text;
  ScreenRect box;
};

/// A folded group's note as drawn ("3 marks inside"), beside where its aggregate's columns end.
struct GroupNoteDrawn {
  std::uint32_t run = 0;
  std::string text;
  float left = 0;         ///< the note's pill's left edge
  float drawn_right = 0;  ///< right of the aggregate's last column drawn (its left edge: none)
};

/// What the timeline drew last frame, in its own coordinates (for the tests and the
/// token animation): the rows, where the lanes' area sits on screen, the marks drawn.
struct TimelineFrame {
  TimelineLayout layout;
  LayoutOptions options;     ///< the row sizes and folding the layout was made with
  float lanes_top = 0;       ///< screen y of the first row (before scrolling)
  float lanes_left = 0;      ///< screen x of the lanes' time 0 (the view's x = 0)
  float lanes_height = 0;    ///< height of the visible lanes' area
  float scroll = 0;          ///< vertical scroll in pixels
  std::vector<std::vector<std::uint32_t>> marks_drawn;  ///< per run: indices of marks drawn
  std::size_t marks_folded = 0;  ///< visible marks left out because a neighbour is too close
  std::vector<HeaderDrawn> headers;  ///< per run: its open header as drawn (zeros: not drawn)
  std::vector<std::size_t> marks_in_groups;  ///< per run: marks of folded lanes, counted on their rows
  std::vector<ScreenRect> labels;      ///< bar labels drawn
  std::vector<ScreenRect> mark_boxes;  ///< mark glyphs drawn on lanes
  std::vector<std::string> summaries;  ///< per run: what its collapsed line says (empty: open, or nothing)
  std::vector<std::string> open_hints;  ///< per run: how to open it, said on its collapsed line presenting (empty: not said)
  std::vector<std::string> collapsed_names;  ///< per run: the name its collapsed line shows, as drawn (run_label_forms, or cut; empty: open)
  std::vector<ScreenRect> stuck_tails;  ///< a deadlocked run's lanes drawn on past its end, "deadlocked"
  std::vector<ScreenRect> badges;       ///< the GIL badges at the playhead: x range, centre row y (top = bottom)
  std::vector<ScreenRect> unrecorded;   ///< a CPython run's stretches with no job running, shaded
  std::vector<ScreenRect> past_axis;    ///< per run that ends past the right edge: its marker there
  std::vector<std::string> unrecorded_labels;  ///< the words drawn in them
  std::vector<ScreenRect> summary_boxes;  ///< per run: where its collapsed line's figures are drawn
  std::vector<ScreenRect> summary_lanes;  ///< per run: the box its collapsed line's lane is drawn in
  std::vector<GroupNoteDrawn> group_notes;  ///< every folded group's note drawn
  std::vector<QueueChipDrawn> queue_chips;  ///< the GIL waiters' chips drawn at the playhead
  std::vector<RaceCountDrawn> race_counts;  ///< the lost races' counts written on GIL lanes
  float smallest_label = 0;  ///< the smallest row label's text size drawn (0: none)
};

struct BundledScenario {
  std::filesystem::path path;
  std::string title;
};

struct ScreenshotRequest {
  std::string path;
  bool timeline_only = false;
  bool laid_out = false;  ///< a frame was drawn for it (a timeline PNG's legend wraps at its width)
};

struct AppState {
  Session session;
  Measuring measuring;  ///< real runs on a background thread; declared after the session it feeds
  SweepView sweep;      ///< the sweep panel: its background sweep and its chart
  std::uint64_t derived_generation = 0;
  std::uint64_t derived_scenario_generation = 0;
  std::vector<RunIndex> runs;
  bool runs_are_preview = false;  ///< `runs` index the first parts of a knob change's runs
  /// While previews are shown: the indices of the whole runs shown before them (at session
  /// generation `before_preview_generation`), kept for the runs the change keeps
  /// (Session::last_kept_runs()). Those of `lent` are in `runs` meanwhile (the preview shows
  /// the kept runs whole), and come back when the preview is replaced.
  std::vector<RunIndex> before_preview;
  std::uint64_t before_preview_generation = 0;
  std::vector<std::uint32_t> lent;
  /// Frees the indices new runs replaced beside the frame that shows them (joined before the next).
  std::jthread retiring_indices;
  EventIndex events;
  NarrativePanel narrative;  ///< the story panel's own state: its lines, filter, scroll
  std::array<bool, trace::kSpanStateCount> states_seen{};  ///< which states the runs use (for the legend)
  std::array<bool, trace::kMarkKindCount> marks_seen{};
  std::vector<BundledScenario> bundled;
  std::string path_field;

  TimeView view;
  bool fit_pending = true;       ///< fit the whole time range once the width is known
  std::optional<std::pair<Time, Time>> fit_range;  ///< fit this range instead, once
  /// The view a fit of every run set (start ns, ns per pixel), while nobody moved it: the fit
  /// follows the folding and the font (presentation mode's scale comes a frame after it).
  std::optional<std::pair<double, double>> fitted_view;
  bool follow_playhead = true;   ///< page the view to keep the playhead visible while playing
  Playback playback;
  /// While the runs shown are the first parts of runs being simulated (Session::previewing):
  /// the end the axis keeps, the longest shown so far, so the new runs grow into the range
  /// the previous ones had rather than the axis shrinking to them. Zero otherwise.
  Time preview_axis_end;
  bool gil_events_only = false;  ///< arrow keys step between GIL events only
  LayoutOptions layout;
  std::vector<RunFolding> folding;  ///< per run, as the user left it (collapsed runs, expanded groups)
  bool fit_runs = false;            ///< collapse runs as needed so every run is on screen
  bool clip_measured = false;       ///< the axis ends with the predictions; slower measured runs run past it
  bool align_ends = false;          ///< every run stretched to end where the axis ends: compare shapes, not lengths
  std::optional<std::uint32_t> focus;  ///< one run expanded, every other collapsed
  std::vector<std::string> folded_run_names;  ///< the runs `folding` was made for
  TimelineFrame timeline;
  float scroll_y = 0;

  std::optional<SpanRef> hovered;
  std::optional<SpanRef> selected;
  std::vector<std::vector<float>> token_y;  ///< per run and process: the lock token's animated row

  float ui_scale = 1.0f;
  /// The scale slider is being dragged: the font atlas is stretched meanwhile and built for the
  /// new scale once it is let go (a build per frame took 0.25 s with a long Chinese note).
  bool ui_scale_held = false;
  bool presentation = false;
  bool auto_presentation_scale = false;  ///< presentation scale follows the window's height
  bool show_help = false;
  bool show_marks = true;
  bool show_legend = true;
  std::optional<ScreenshotRequest> screenshot;
  bool legend_fits_timeline = false;  ///< every frame's legend wraps at the timeline's width (--timeline-only)
  std::string status;           ///< last message shown in the toolbar ("saved x.png")
  double status_age = 0;
  bool quit = false;
  double frame_seconds = 0;     ///< wall time since the previous frame
  std::uint64_t frames_drawn = 0;  ///< frames drawn so far (draw_frame calls)
  // Panel bookkeeping between frames (kept here, not in statics: the app owns all state).
  std::optional<SpanRef> inspector_shown;   ///< selection the inspector tab last jumped to
  std::array<float, 10> toolbar_widths{};   ///< each toolbar group's width, last frame
  /// Where the timeline was last drawn (screen pixels), for "save the timeline as PNG".
  float timeline_rect[4] = {0, 0, 0, 0};
  float timeline_png_rect[4] = {0, 0, 0, 0};  ///< the same with the legend and title above it
  float legend_top = -1;  ///< screen y of the legend's top (a timeline PNG starts there), -1 when hidden
  bool toolbar_overflows = false;  ///< the toolbar and legend did not fit their share of the window (it scrolls)
  /// Screen y where the lines a lesson points at end in the playhead panel's first open run
  /// that has any, as last drawn: its deadlock, the holders and waiters of its GILs and locks,
  /// what its event loop does; 0 when none was drawn.
  float playhead_lesson_lines_bottom = 0;
  /// Whether the playhead panel said on its first line that it goes on below its foot, last frame.
  bool playhead_more_below = false;
};

/// What refresh_derived builds from the runs alone: their indices and the legend's lists.
struct DerivedRuns {
  std::vector<RunIndex> runs;
  std::array<bool, trace::kSpanStateCount> states_seen{};
  std::array<bool, trace::kMarkKindCount> marks_seen{};
  /// Runs join_derived was given no part for (a knob change kept them from the runs shown,
  /// Session::last_kept_runs()): their RunIndex is empty, theirs is to be carried over, and
  /// the legend's lists leave them out until it is (with_legend_of_runs).
  std::vector<std::uint32_t> to_carry;
};
/// Built on the calling thread and a second one (`lent`'s serving thread when given, else one
/// made for it); reads `runs` alone, so any thread may.
DerivedRuns derive_runs(const std::vector<trace::Trace>& runs, LentThread* lent = nullptr);
/// derive_runs of one run alone, as soon as it ends (on the thread that simulated it): its
/// part of join_derived; shared with `lent`'s serving thread when given, as derive_runs is.
DerivedRuns derive_run(const trace::Trace& run, LentThread* lent = nullptr);
/// derive_runs(runs) from derive_run of each run, `parts` in the runs' order. A run whose part
/// is missing (nullopt: the run was kept from the runs shown) gets an empty RunIndex, listed in
/// `to_carry`.
DerivedRuns join_derived(const std::vector<trace::Trace>& runs, std::vector<std::optional<DerivedRuns>> parts);
/// The legend's lists and each run's prediction made again from `derived.runs` (once the
/// indices of its `to_carry` runs are in; `to_carry` is then emptied).
void with_legend_of_runs(const std::vector<trace::Trace>& runs, DerivedRuns& derived);

/// derive_runs for the first parts of a knob change's runs as they grow (Session's previews):
/// each call's runs are the last call's, each as long or longer (trace::Trace::partial()).
/// The lanes' running sums, labels and interest, the marks by lane and the legend's lists
/// carry over from call to call: a longer prefix reads only the spans and marks it added, and
/// each lane's last span again (the last prefix may have cut it); the other indices are built
/// whole. The result equals derive_runs(runs).
class PreviewIndexer {
 public:
  DerivedRuns update(const std::vector<trace::Trace>& runs);
  /// The same but for the runs `kept` from the runs shown (whole, by run): their RunIndex is
  /// left empty and listed in `to_carry`, as join_derived leaves a part it was not given.
  DerivedRuns update(const std::vector<trace::Trace>& runs, const std::vector<bool>& kept);

  /// Per lane, what its final spans (all but its last) left.
  struct LaneCarry {
    std::size_t final_spans = 0;
    std::uint32_t job = trace::kNone;  ///< the one job its thread ran so far
    bool several_jobs = false;
    std::int64_t waited = 0;           ///< run_interest's share, in nanoseconds
  };
  struct RunCarry {
    std::size_t final_marks = 0;
    std::vector<LaneCarry> lanes;
    std::vector<std::vector<std::int64_t>> covered;
    std::vector<std::vector<std::uint32_t>> glyphs, job_ends, telling;
    std::array<bool, trace::kSpanStateCount> states{};
    std::array<bool, trace::kMarkKindCount> kinds{};
  };

 private:
  std::vector<RunCarry> carry_;
};
/// derive_runs as Session::set_knobs_in_background takes it: the new runs indexed on the
/// simulation's thread, and the frame that shows them only swaps them in.
std::any derive_runs_for_session(const std::vector<trace::Trace>& runs);
/// derive_runs_for_session run by run (derive_run, join_derived), as Session::derive_runwise_with
/// takes it: each run of a knob change is indexed as soon as it ends, beside the runs still
/// simulated, and only the last to end is indexed after the simulation. A run the change kept
/// from the runs shown is not indexed: refresh_derived carries its index over.
Session::RunwiseDerive runwise_derive_for_session();
/// A PreviewIndexer of its own per knob change, as Session::index_previews_with takes it: the
/// runs the change keeps are not indexed (refresh_derived lends the runs shown's indices).
Session::PreviewDerive preview_indexer_for_session();

/// Rebuilds what derives from the runs when the session produced new ones (or takes what the
/// session's background change derived, with the indices of the runs it kept carried over
/// from the runs shown: moved, not rebuilt); keeps the playhead and zoom when the time range
/// still makes sense. The indices built here are built beside on `lent`'s serving thread, when given.
void refresh_derived(AppState& app, LentThread* lent = nullptr);
/// By run shown: which a fit opens first, the highest first. The run the lesson is about (a
/// `featured` run in its file) comes first; the others by their threads' waiting (run_interest),
/// each measured run right after its prediction.
std::vector<double> fit_priorities(const AppState& app);

/// For a measured run: the simulated run of the same name (its prediction), or kNone.
std::uint32_t prediction_of(const std::vector<trace::Trace>& runs, std::uint32_t measured);

/// The latest end across runs: the shared time axis runs from 0 to here.
Time total_end(const std::vector<trace::Trace>& runs);

/// The UI scale of presentation mode for a window `display_width` x `display_height` pixels:
/// 1.75 from 1600x900 up, less below (1.4 at 1280x720), by the narrower of the two, so that a
/// projector's small screen still holds the runs (at 1024x768, 1.25: by its height alone, 1.5
/// folded lesson 15's eight threads and put the toolbar on three rows).
float presentation_scale(float display_width, float display_height);

/// The factor on the toolbar's and legend's text: 1, or less where `font_px` is taller than
/// a 36th of the window (at --scale 3 on 1080 lines, 51 px text would push the legend out
/// of the toolbar's share of the window; the timeline and panels keep the full scale).
float chrome_font_scale(float font_px, float display_height);

/// The timeline's height in the `rest` of the window below the toolbar: `share` of it,
/// less where the panels under it would get fewer than `below_min` pixels, never less than
/// 65% of it (at --scale 3 the story's three lines would take the runs' room).
float timeline_height(float rest, float share, float below_min);

/// Loads the titles of the bundled scenarios for the scenario panel.
std::vector<BundledScenario> list_bundled_scenarios();

}  // namespace gilsim::viz

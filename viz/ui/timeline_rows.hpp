// The timeline's row items, as Tracy's timeline items: one kind of row each (run header,
// lane, folded group, busy-cores strip), each owning the buffers it fills every frame, and
// each reading only the narrow state it needs (TimelineContext), never the writable AppState.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <imgui.h>

#include "sim/real/judgement.hpp"
#include "viz/app_state.hpp"
#include "viz/lane_density.hpp"
#include "viz/level_of_detail.hpp"
#include "viz/timeline_layout.hpp"
#include "viz/ui/timeline_painter.hpp"

namespace gilsim::viz::ui {

/// What the row items read: the runs and what derives from them, the view, the folding.
struct TimelineContext {
  const std::vector<trace::Trace>& runs;
  const std::vector<RunIndex>& index;
  const TimeView& view;
  const std::vector<RunFolding>& folding;  ///< as drawn (fit and focus applied)
  std::optional<SpanRef> selected;
  Time axis_end;      ///< where the axis as drawn ends: the view's end, or later where it clips measured runs
  float scale = 1;
  bool show_marks = true;
  float label_left = 0;  ///< screen x of the label column
  float lanes_left = 0;  ///< screen x of time-view x = 0
  float right = 0;       ///< screen x of the lanes' right edge
  /// Per measured run: (predicted - measured) / measured, or nullopt.
  std::vector<std::optional<double>> prediction_errors;
  /// Per run, when runs are aligned at their ends: its stretched view (empty: `view` for all).
  std::vector<TimeView> run_views = {};
  std::vector<double> stretches = {};  ///< per run, with run_views: how much wider it is drawn
  /// The GIL badges at the playhead: a bar's label they would cover moves right of them.
  struct Badge {
    std::uint32_t run = 0;
    float y = 0;  ///< screen y of its centre
    std::pair<float, float> x;  ///< screen x range (token_extent)
  };
  std::vector<Badge> badges = {};
  /// The GIL waiters' chips at the playhead, placed before the rows are painted (drawn after
  /// them): the lost races' count keeps clear of them.
  std::span<const QueueChipDrawn> queue_chips = {};
  std::vector<float> playhead_x = {};  ///< per run: the screen x of its playhead's line
  /// The lesson's note: a job it names gets its finish on its run's collapsed line.
  std::string_view note = {};
  /// Presenting: no label smaller than the body text (the busy-cores strips go uncaptioned,
  /// the legend says what they are).
  bool presenting = false;

  const TimeView& view_of(std::uint32_t run) const { return run < run_views.size() ? run_views[run] : view; }
};

/// What painting the rows found out: the marks drawn and folded (for the tests and the note).
struct RowStats {
  std::vector<std::vector<std::uint32_t>> marks_drawn;  ///< per run
  std::vector<std::size_t> folded_by_run;               ///< per run: marks left out, too close to draw
  std::size_t marks_folded = 0;
  std::vector<HeaderDrawn> headers;  ///< per run: its open header as drawn
  std::vector<std::size_t> marks_in_groups;  ///< per run: marks of folded lanes, said on their rows
  std::vector<ScreenRect> labels;      ///< every bar label drawn
  std::vector<ScreenRect> mark_boxes;  ///< every mark glyph drawn on a lane
  std::vector<std::string> summaries;  ///< per run: what its collapsed line says after its lane
  std::vector<std::string> open_hints;  ///< per run: how to open it, said on its collapsed line presenting
  std::vector<std::string> collapsed_names;  ///< per run: the name its collapsed line shows
  std::vector<ScreenRect> stuck_tails;  ///< a deadlocked run's lanes drawn on past its end
  std::vector<ScreenRect> summary_boxes;  ///< per run: where its collapsed line's figures are drawn
  std::vector<ScreenRect> summary_lanes;  ///< per run: the box its collapsed line's lane is drawn in
  std::vector<GroupNoteDrawn> group_notes;  ///< every folded group's note drawn
  std::vector<RaceCountDrawn> race_counts;  ///< every lost races' count written
  float smallest_label = 0;  ///< the size of the smallest row label drawn (0: none)
};

class TimelineRows {
 public:
  /// Paints one row whose top is at screen y `y0`.
  void draw(ImDrawList* dl, const TimelineContext& ctx, const Row& row, float y0, RowStats& stats);
  /// After every row (the folded marks are counted then): an open run's header, its text
  /// cut short before the note of how many marks its lanes folded, never under it.
  void draw_open_header(ImDrawList* dl, const TimelineContext& ctx, const Row& header, float y0, RowStats& stats);

 private:
  void draw_lane(ImDrawList* dl, const TimelineContext& ctx, const Row& row, const LaneBox& box, RowStats& stats);
  void draw_group(ImDrawList* dl, const TimelineContext& ctx, const Row& row, const LaneBox& box, RowStats& stats);
  void draw_busy_cores(ImDrawList* dl, const TimelineContext& ctx, const Row& row, const LaneBox& box);
  /// Paints group `group` of run `run` as its state density (draw_group's aggregate, a
  /// collapsed pool's line), `full` lanes at the box's full height; returns its index when the
  /// run's indexing built one.
  const GroupIndex* paint_group(ImDrawList* dl, const TimelineContext& ctx, std::uint32_t run, std::uint32_t group,
                                const LaneBox& box, float full);
  void draw_label(ImDrawList* dl, const TimelineContext& ctx, const Row& row, ImVec2 a, ImVec2 b, RowStats& stats);
  /// A collapsed run on one line: its name, its GIL lane (a pool's worker processes), its
  /// figures after its end.
  void draw_summary(ImDrawList* dl, const TimelineContext& ctx, const Row& row, float y0, float y1, RowStats& stats);

  std::vector<DrawItem> items_;
  std::vector<std::uint32_t> marks_;
  std::vector<float> mark_x_;    ///< per mark of marks_: its screen x
  std::vector<bool> compact_;    ///< per mark of marks_: drawn compact (compact_marks)
  std::vector<std::pair<float, float>> keep_clear_;  ///< a lane's badge and marks, for its labels
  std::vector<std::pair<float, float>> over_gil_;  ///< what is drawn over a GIL lane at the playhead
  std::vector<LaneBox> labels_;
  LaneDensity density_;
  LostRaces lost_;
  std::vector<std::pair<float, float>> unseen_;  ///< screen x ranges of a GIL lane's "holder not seen"
};

/// Whether the run ends past where the shared axis ends (a measured run slower than its
/// prediction: axis_end clips it); its header and collapsed line say so, and a marker at the
/// right edge runs down its rows (draw_timeline).
bool past_axis(const trace::Trace& run, const TimelineContext& ctx);
/// How wide that marker is at the right edge, for a header `header_height` tall.
float past_axis_marker_width(float header_height, float scale);
/// Where a collapsed run's name starts in the label column, after its triangle, at the current font.
float collapsed_name_indent();

/// The text at the right end of a folded group's row: "8 threads (folded: click to expand)",
/// or, when its lanes have `marks` in view, "8 threads (folded: 412 marks inside, click to expand)".
std::string group_note(const LaneGroup& group, std::size_t marks = 0);

/// What a collapsed run's line says after its name, the longest first, for the room there
/// is: "new GIL, 4 cores, done at 210 ms", "done at 210 ms", "210 ms" (the same for every run);
/// a measured run's `judged` against its prediction adds its caveat (judge_run).
/// Where the lesson's `note` names a job of the run as a word ("the reader is done at ~110 ms
/// again") and it finished before the run, the fullest come first with its finish:
/// "new GIL, 2 cores, done at 807 ms; reader done at 110 ms" (no more than two jobs named).
/// A run `past` the axis says so after its end ("done at 1.41 s, past the axis →"); a flag
/// comes in full, then in brief ("busy machine: not scored"), each with the settings first and
/// then without (a line says its settings where any text with them fits: draw_summary); a run with counters says them,
/// in full, then in brief ("counter: 26,441 of 80,000 lost"), rather than its end time alone.
std::vector<std::string> summary_texts(const trace::Trace& run, const RunIndex& index,
                                       const real::Judgement* judged = nullptr, std::string_view note = {},
                                       bool past = false);

/// A collapsed line whose lane's bars cover less than this share of it may draw the lane lower
/// to say the run's settings above it.
inline constexpr float kSparseLine = 0.25f;

/// The lanes a collapsed run's line draws: its summary group's members (a pool's worker
/// processes, drawn as their aggregate), else its summary lane; none where it has neither.
std::vector<trace::LaneId> summary_line_lanes(const RunIndex& index);

/// What a collapsed run's line draws of `lanes` (summary_line_lanes) in `view`: x ranges from
/// the lanes' left edge, widened by a job-done dot's half on each side, in order, overlaps merged.
std::vector<std::pair<float, float>> line_drawn(const trace::Trace& run, const RunIndex& index,
                                               std::span<const trace::LaneId> lanes, const TimeView& view, float font,
                                               std::vector<DrawItem>& scratch);

/// The finishes of the jobs of `run` that `note` names (as whole words) and that ended before
/// the run did: "reader done at 110 ms"; empty where none, or more than two, are named.
std::string named_jobs_done(const trace::Trace& run, std::string_view note);

/// The text at the right end of a lane that folded marks: "412 marks folded: click to zoom in"
/// (a click there zooms to a few of the run's jobs, few_jobs_window).
std::string folded_marks_note(std::size_t folded);

}  // namespace gilsim::viz::ui

// The vertical arrangement of the timeline: every run stacked on one time axis, each with a
// header row and its lanes (cores, then per process its GIL, threads and tasks). A run can
// be collapsed to a one-line summary (its GIL lane and a busy-cores strip), many alike lanes
// fold into one aggregate row, and fit_runs collapses runs until every run fits a height.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/trace/trace.hpp"

namespace gilsim::viz {

struct Row {
  enum class Kind : std::uint8_t {
    RunHeader,  ///< the run's name and figures; collapsed, its name beside its summary lane (`lane`) or group
    Lane,       ///< one lane of the trace
    Group,      ///< a folded group of alike lanes, drawn as their state density
    BusyCores,  ///< a counter strip: how many of the run's cores are busy
  };
  Kind kind = Kind::Lane;
  std::uint32_t run = 0;
  trace::LaneId lane = trace::kNone;   ///< Lane rows, and a collapsed run's header (summary_lane) without a group
  /// Group rows, and a collapsed run's header that shows a group (summary_group): index into
  /// the run's lane groups
  std::uint32_t group = trace::kNone;
  float y = 0;                         ///< top, in pixels from the first row
  float height = 0;
  /// A RunHeader of a collapsed run: its one line. Not `lane`, which a run without a GIL and
  /// without threads lacks (lesson 12's "sequential, no GIL", collapsed, was drawn as an
  /// open header with nothing under it).
  bool collapsed = false;
};

/// Lanes of one run that are alike (a process's tasks, a pool's threads, a pool's worker
/// processes, many cores): shown as one aggregate row (how many of them are in each state)
/// when the group is folded.
struct LaneGroup {
  std::string label;                  ///< "10,000 tasks", "4 worker processes"
  std::vector<trace::LaneId> members; ///< the lanes whose states the aggregate counts
  std::vector<trace::LaneId> hidden;  ///< every lane the folded group replaces
  bool folded_at_first = true;        ///< too many to show: folded until expanded; else open until a fit needs the room
  /// The most members alive at one instant, each from its first span to its last: the
  /// aggregate's full height (lesson 18's 40 processes, a few alive at once, were a sliver
  /// scaled to 40).
  std::size_t most_at_once = 0;
  /// A pool's worker processes where the main process runs no job, or the threads of a run
  /// that works off its GIL (work_off_the_gil): the collapsed run's line shows them (summary_group).
  bool shows_run = false;
};

/// The groups of a run: a kind of lane folds when there are more than `fold_above` of it;
/// worker processes fold when there are more than `fold_above / 2` of them. Fewer alike
/// lanes (3 threads or tasks of a process, 2 worker processes, and more) make a group that
/// starts open, which a fit folds when the run would not fit otherwise. Alike threads are
/// those that run jobs (runs_jobs): the main thread and a pool's handlers keep their rows.
std::vector<LaneGroup> lane_groups(const trace::Trace& trace, int fold_above = 8);

/// How a run shows one of its lane groups: as the group says at first, or as asked.
enum class GroupShown : std::uint8_t { AsGrouped, Expanded, Folded };

/// How one run is shown: collapsed to its summary, and which of its groups are folded.
struct RunFolding {
  bool collapsed = false;
  std::vector<GroupShown> groups;  ///< per lane group; missing means AsGrouped
  bool cores_folded = false;  ///< open, with its core lanes shown as the busy-cores strip only

  GroupShown shown(std::size_t g) const { return g < groups.size() ? groups[g] : GroupShown::AsGrouped; }
  /// Whether lane group `g` (`group`) is drawn as one aggregate row.
  bool group_folded(std::size_t g, const LaneGroup& group) const {
    const GroupShown s = shown(g);
    return s == GroupShown::Folded || (s == GroupShown::AsGrouped && group.folded_at_first);
  }
  void show_group(std::size_t g, GroupShown s) {
    if (groups.size() <= g) groups.resize(g + 1, GroupShown::AsGrouped);
    groups[g] = s;
  }
  bool operator==(const RunFolding&) const = default;
};

struct LayoutOptions {
  float lane_height = 20;
  float core_height = 0;    ///< core lanes, thinner to leave room for threads; 0: lane_height
  float header_height = 26;
  float strip_height = 0;   ///< counter strips; 0: half a lane
  float gap = 6;            ///< space after each run
  bool show_cores = true;
  bool hide_idle_cores = true;    ///< a core no thread ever ran on gets no row (the header says so)
  bool hide_idle_threads = true;  ///< a thread that only starts others and waits (idle_thread) gets no row
  std::vector<RunFolding> folding;  ///< per run (by index); missing means expanded, groups folded
  /// Per run: its summary_lane, found once with its index (found each frame, it read a 1 M-span
  /// run's GIL lane, 11 ms of every frame); missing means found here.
  std::vector<trace::LaneId> summary_lanes;
};

struct TimelineLayout {
  std::vector<Row> rows;
  float total_height = 0;

  /// The row under `y`, or nullptr in a gap or outside.
  const Row* row_at(float y) const;
  /// The row showing `lane` of `run` (a lane row, or a collapsed run's header for its GIL
  /// lane), or nullptr when it is hidden.
  const Row* find(std::uint32_t run, trace::LaneId lane) const;
  /// The header row of `run`, or nullptr.
  const Row* header(std::uint32_t run) const;
};

/// Lane order within a run: cores, then each process's GIL, threads and tasks.
std::vector<trace::LaneId> ordered_lanes(const trace::Trace& trace, const LayoutOptions& options);

/// A thread lane that runs no job and does nothing but start threads and sleep: the main
/// thread of a threads run, which starts the workers and joins them.
bool idle_thread(const trace::Trace& trace, const trace::Lane& lane);

/// A thread lane that runs some job's steps (its spans name a job), unlike a main thread or
/// a pool's handler threads.
bool runs_jobs(const trace::Trace& trace, const trace::Lane& lane);

/// A thread lane that runs some job's own steps (Python, I/O, sleeps), not only its pickling
/// and sending, as a pool's handler threads do.
bool runs_job_steps(const trace::Trace& trace, const trace::Lane& lane);

/// A GIL held for less than this share of its run draws a collapsed line that looks empty.
inline constexpr double kQuietGil = 0.25;

/// Whether a run of one process works off its GIL: the GIL is held for less than kQuietGil of
/// the run, its threads in C code that drops it or waiting on I/O (lesson 6's sequential run,
/// 800 ms of hashing, and lesson 2's, a second of downloads, held it for 2% or less). Its
/// collapsed line shows its threads at work instead (summary_lane, summary_group).
bool work_off_the_gil(const trace::Trace& trace);

/// The lane a collapsed run shows beside its name: the main interpreter's GIL, or, in a run
/// without a GIL or one that works off it (work_off_the_gil), its first thread that runs jobs
/// (lesson 12's "sequential, no GIL": its main thread's crunch bars; lesson 6's sequential
/// run: its hashing in C code), else its first thread; kNone when it has none. A pool of one
/// worker process whose main process runs no job shows the worker's thread that runs them
/// (several workers, or three threads or more that work off the GIL: summary_group).
trace::LaneId summary_lane(const trace::Trace& trace);

/// The group a collapsed run's line shows instead of its summary_lane: the line shows where
/// the jobs run, so a pool's worker processes, each running Python under a GIL of its own,
/// where the main process runs none (its GIL, nearly free while they work, drew the default
/// scenario's fastest run as idle), or the threads of a run that works off its GIL
/// (work_off_the_gil: lesson 6's four threads hashing); kNone without one, or where the main
/// process runs a job too (its GIL then tells that job's story).
std::uint32_t summary_group(const std::vector<LaneGroup>& groups);

/// How many lanes a collapsed run's line counts at its full height when it shows `group`: its
/// cores, or its most workers alive at once where more (lesson 9's Pool(2), busy to the end,
/// is half a line on 4 cores, as it uses half the machine; Pool(16) counts 16).
float summary_group_height(const trace::Trace& run, const LaneGroup& group);

/// Cores of the run that no thread ever ran on.
int idle_cores(const trace::Trace& trace);

/// The order runs are stacked in: file order, except that a measured run sits right under
/// the simulated run of the same name, so prediction and measurement read as a pair.
std::vector<std::uint32_t> stacking_order(const std::vector<trace::Trace>& runs);

/// The run's name as panels show it: "threads", or "threads (measured)" for a measured run;
/// with the value in force where the knobs changed what the name states (Trace::in_force):
/// "pool of 4 (now 2 workers)", "pool of 4 (now 2 workers, measured)".
std::string run_label(const trace::Trace& run);
/// The run's name with the value in force, not saying how it was made: "pool of 4 (now 2 workers)",
/// for a header that says "measured" elsewhere, a pair's note or a bar beside "measured".
std::string run_name_in_force(const trace::Trace& run);
/// The forms of a run's label for a collapsed run's line, whole first, then shorter: without
/// who measured it ("threads (measured)" for "threads, CPython 3.11 (measured)"), then, for a
/// measured run under its prediction (`under_prediction`), "measured" alone. The line shows the
/// first that fits, and the whole in its tooltip.
std::vector<std::string> run_label_forms(const trace::Trace& run, bool under_prediction);
/// What a run is, whatever the knobs: its name, how it was made and by what. The folding of the
/// runs shown stays while these stay (a knob change says "2 workers" in the label, not another run).
std::string run_identity(const trace::Trace& run);

/// Rows for `runs`, with their lane groups (one vector per run, from lane_groups).
TimelineLayout layout_rows(const std::vector<trace::Trace>& runs, const std::vector<std::vector<LaneGroup>>& groups,
                           const LayoutOptions& options);
/// The same, with every run's groups computed here.
TimelineLayout layout_rows(const std::vector<trace::Trace>& runs, const LayoutOptions& options);

/// The folding that shows every run within `height`: `options.folding` when it fits;
/// otherwise every run collapsed, then opened again in order of `priority` (higher first,
/// by default file order): first each run that fits with its cores as the busy-cores strip
/// (with `fold_alike`, one that does not fits with its open lane groups folded into
/// aggregate rows, the largest first, as few as it takes), then, in the same order, its
/// core lanes where they still fit. So the most telling run opens whenever its threads, or
/// their aggregate, fit, and the space left goes to the next. Runs are never hidden: a
/// collapsed run keeps its header and GIL lane. Groups folded for being many open where they
/// fit (open_groups_that_fit), before the core lanes come back.
std::vector<RunFolding> fit_runs(const std::vector<trace::Trace>& runs, const std::vector<std::vector<LaneGroup>>& groups,
                                 const LayoutOptions& options, float height, const std::vector<double>& priority = {},
                                 bool fold_alike = false);

/// `folding` with the lane groups that start folded for being many (more than eight threads
/// or tasks) opened where every row still fits `height`: runs in order of `priority`, the
/// smallest group of a run first. A group the user folded or opened stays as it is. fit_runs
/// does this before it brings the core lanes back.
std::vector<RunFolding> open_groups_that_fit(const std::vector<trace::Trace>& runs,
                                             const std::vector<std::vector<LaneGroup>>& groups,
                                             const LayoutOptions& options, std::vector<RunFolding> folding, float height,
                                             const std::vector<double>& priority = {});

/// How much a run has to show a class: time threads spent waiting (for the GIL, a core or
/// a lock) and time the event loop was blocked. Fitting opens the most telling runs first.
double run_interest(const trace::Trace& run);
/// The states of a thread lane that run_interest counts.
bool interesting_wait(trace::SpanState state);

/// The run of highest `priority` (the first of equals); 0 when there is none.
std::uint32_t most_telling(const std::vector<double>& priority);

/// Whether fit `a` shows more than fit `b`: more runs open, then, of equal counts, the more
/// telling ones (by `priority`, highest first, compared in that order).
bool shows_more(const std::vector<RunFolding>& a, const std::vector<RunFolding>& b, const std::vector<double>& priority);

/// The timeline's height, of `rest` under the toolbar, while the sweep panel is open under
/// it: the chart takes what the timeline can spare. The timeline keeps 40% of `rest`, or
/// `needed` (its axis and a line per run) when that is more, but never more than `usual`,
/// its height without the panel. Presenting, `keep` is 0: the curve comes first, and the
/// timeline keeps only its axis and a line per run.
float timeline_height_beside_sweep(float rest, float usual, float needed, float keep = 0.4f);

/// How tall a run collapsed to one line is with `options`' row sizes: its line, its cores'
/// strip, the gap after it.
float collapsed_run_height(const LayoutOptions& options);

/// The folding that shows `run` expanded and every other run collapsed.
std::vector<RunFolding> focus_run(std::size_t run_count, std::uint32_t run, const std::vector<RunFolding>& from);

}  // namespace gilsim::viz

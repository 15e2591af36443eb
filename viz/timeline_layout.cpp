// Row placement for the stacked runs: lane order, groups of alike lanes, collapsed runs,
// and the fit that collapses runs until every run is on screen.
#include "viz/timeline_layout.hpp"

#include <algorithm>
#include <utility>
#include <cmath>
#include <numeric>
#include <optional>

#include <fmt/format.h>

#include "viz/text_layout.hpp"

namespace gilsim::viz {

using trace::LaneKind;

int idle_cores(const trace::Trace& trace) {
  int idle = 0;
  for (const trace::Lane& l : trace.lanes) idle += l.kind == LaneKind::Core && l.spans.empty();
  return idle;
}

bool idle_thread(const trace::Trace& trace, const trace::Lane& lane) {
  if (lane.kind != LaneKind::Thread) return false;
  return std::all_of(lane.spans.begin(), lane.spans.end(), [&](const trace::Span& s) {
    return s.subject >= trace.jobs.size() &&
           (s.state == trace::SpanState::Starting || s.state == trace::SpanState::Sleeping);
  });
}

bool runs_jobs(const trace::Trace& trace, const trace::Lane& lane) {
  return std::any_of(lane.spans.begin(), lane.spans.end(),
                     [&](const trace::Span& s) { return s.subject < trace.jobs.size(); });
}

bool runs_job_steps(const trace::Trace& trace, const trace::Lane& lane) {
  return lane.kind == LaneKind::Thread && std::any_of(lane.spans.begin(), lane.spans.end(), [&](const trace::Span& s) {
           return s.subject < trace.jobs.size() &&
                  (s.state == trace::SpanState::Running || s.state == trace::SpanState::BlockedIo ||
                   s.state == trace::SpanState::Sleeping || s.state == trace::SpanState::Stalled);
         });
}

namespace {

/// Whether the jobs run in worker processes alone: none of the main process's threads runs a step.
bool jobs_in_workers_only(const trace::Trace& trace) {
  return trace.processes.size() > 1 && std::none_of(trace.lanes.begin(), trace.lanes.end(), [&](const trace::Lane& l) {
           return l.process == 0 && runs_job_steps(trace, l);
         });
}

}  // namespace

bool work_off_the_gil(const trace::Trace& trace) {
  if (trace.processes.size() != 1 || trace.processes[0].gil_lane >= trace.lanes.size()) return false;
  const std::int64_t quiet = static_cast<std::int64_t>(static_cast<double>(trace.end.ns()) * kQuietGil);
  std::int64_t held = 0;
  for (const trace::Span& s : trace.lanes[trace.processes[0].gil_lane].spans) {
    held += s.duration().ns();
    if (held >= quiet) return false;  // a busy GIL's lane is read no further than a quarter of the run
  }
  return true;
}

trace::LaneId summary_lane(const trace::Trace& trace) {
  if (trace.processes.size() == 2 && jobs_in_workers_only(trace)) {
    for (trace::LaneId l = 0; l < trace.lanes.size(); ++l) {
      if (trace.lanes[l].process == 1 && runs_job_steps(trace, trace.lanes[l])) return l;
    }
  }
  if (!trace.processes.empty() && trace.processes[0].gil_lane < trace.lanes.size() && !work_off_the_gil(trace)) {
    return trace.processes[0].gil_lane;
  }
  trace::LaneId first = trace::kNone;
  for (trace::LaneId l = 0; l < trace.lanes.size(); ++l) {
    const trace::Lane& lane = trace.lanes[l];
    if (lane.kind != LaneKind::Thread || (!trace.processes.empty() && lane.process != 0)) continue;
    if (runs_jobs(trace, lane)) return l;
    if (first == trace::kNone) first = l;
  }
  return first;
}

std::uint32_t summary_group(const std::vector<LaneGroup>& groups) {
  for (std::uint32_t g = 0; g < groups.size(); ++g) {
    if (groups[g].shows_run && !groups[g].members.empty()) return g;
  }
  return trace::kNone;
}

float summary_group_height(const trace::Trace& run, const LaneGroup& group) {
  return static_cast<float>(std::max<std::size_t>({1, group.most_at_once, static_cast<std::size_t>(std::max(0, run.cores))}));
}

std::vector<trace::LaneId> ordered_lanes(const trace::Trace& trace, const LayoutOptions& options) {
  std::vector<trace::LaneId> order;
  const auto lanes_where = [&](auto&& keep) {
    for (trace::LaneId l = 0; l < trace.lanes.size(); ++l) {
      if (keep(trace.lanes[l])) order.push_back(l);
    }
  };
  if (options.show_cores) {
    lanes_where([&](const trace::Lane& l) {
      return l.kind == LaneKind::Core && !(options.hide_idle_cores && l.spans.empty());
    });
  }
  const auto shown_thread = [&](const trace::Lane& l) { return !(options.hide_idle_threads && idle_thread(trace, l)); };
  for (trace::ProcessId p = 0; p < trace.processes.size(); ++p) {
    for (LaneKind kind : {LaneKind::Gil, LaneKind::Lock, LaneKind::Thread, LaneKind::Task}) {
      lanes_where([&](const trace::Lane& l) {
        return l.process == p && l.kind == kind && (kind != LaneKind::Thread || shown_thread(l));
      });
    }
  }
  // Anything a producer attached to no known process still shows, at the end.
  lanes_where([&](const trace::Lane& l) { return l.kind != LaneKind::Core && l.process >= trace.processes.size(); });
  return order;
}

namespace {

std::size_t most_alive_at_once(const trace::Trace& trace, const std::vector<trace::LaneId>& members) {
  std::vector<std::pair<Time, int>> changes;  // an end before a begin at one instant: no overlap
  for (trace::LaneId l : members) {
    const auto& spans = trace.lanes[l].spans;
    if (spans.empty()) continue;
    changes.emplace_back(spans.front().begin, 1);
    changes.emplace_back(spans.back().end, -1);
  }
  std::sort(changes.begin(), changes.end());
  std::size_t alive = 0, most = 0;
  for (const auto& [at, change] : changes) {
    alive = change > 0 ? alive + 1 : alive - 1;
    most = std::max(most, alive);
  }
  return most;
}

}  // namespace

std::vector<LaneGroup> lane_groups(const trace::Trace& trace, int fold_above) {
  std::vector<LaneGroup> groups;
  const auto lanes_of = [&](auto&& keep) {
    std::vector<trace::LaneId> out;
    for (trace::LaneId l = 0; l < trace.lanes.size(); ++l) {
      if (keep(trace.lanes[l])) out.push_back(l);
    }
    return out;
  };
  const auto add = [&](std::string label, std::vector<trace::LaneId> members, std::vector<trace::LaneId> hidden,
                       bool folded, bool shows_run = false) {
    const std::size_t most = most_alive_at_once(trace, members);
    groups.push_back(LaneGroup{std::move(label), std::move(members), std::move(hidden), folded, most, shows_run});
  };
  const auto too_many = [&](std::size_t n) { return n > static_cast<std::size_t>(fold_above); };
  // Fewer alike lanes than that still make a group (open at first) that a fit can fold.
  constexpr std::size_t kAlikeLanes = 3, kAlikeWorkers = 2;

  auto cores = lanes_of([](const trace::Lane& l) { return l.kind == LaneKind::Core; });
  if (too_many(cores.size())) add(counted(cores.size(), "core"), cores, cores, true);

  // Worker processes (every process after the first) fold together: their threads' states
  // are what the aggregate counts; their GIL lanes hide with them.
  const std::size_t workers = trace.processes.size() > 1 ? trace.processes.size() - 1 : 0;
  const bool many_workers = workers > static_cast<std::size_t>(fold_above / 2);
  if (workers >= kAlikeWorkers) {
    auto members = lanes_of([&](const trace::Lane& l) {
      return l.kind == LaneKind::Thread && l.process != 0 && !idle_thread(trace, l);
    });
    auto hidden = lanes_of([](const trace::Lane& l) { return l.kind != LaneKind::Core && l.process != 0; });
    // A spawn pool's resource tracker (and a forkserver) folds with them (the group's hover says
    // so), but is no worker: lesson 20's spawn pool of one worker said "2 worker processes".
    const auto trackers = static_cast<std::size_t>(std::count_if(
        trace.processes.begin() + 1, trace.processes.end(), [](const trace::Process& p) { return trace::multiprocessing_helper(p.name); }));
    // A pool's are its workers; lesson 18's one Process per job, "process 1" to "process 40",
    // are processes the parent started, not a pool's.
    const bool pool = std::all_of(trace.processes.begin() + 1, trace.processes.end(), [](const trace::Process& p) {
      return trace::multiprocessing_helper(p.name) || p.name.starts_with("worker");
    });
    std::string label = pool ? counted(workers - trackers, "worker process", "worker processes")
                             : counted(workers - trackers, "process", "processes");
    // A collapsed line shows them where the jobs run there alone (a pool's handler threads name
    // jobs too, but only to pickle, send and receive them).
    add(std::move(label), std::move(members), std::move(hidden), many_workers, jobs_in_workers_only(trace));
  }
  const trace::ProcessId own = workers >= kAlikeWorkers ? 1 : static_cast<trace::ProcessId>(trace.processes.size());
  for (trace::ProcessId p = 0; p < own; ++p) {
    // Alike threads are the ones that run the jobs: a pool's handler threads and the main
    // thread, each doing something of its own, keep their rows.
    auto threads = lanes_of([&](const trace::Lane& l) {
      return l.kind == LaneKind::Thread && l.process == p && runs_jobs(trace, l);
    });
    if (threads.size() >= kAlikeLanes) {
      // A collapsed line shows them where the GIL, nearly free, would show an empty line.
      add(counted(threads.size(), "thread"), threads, threads, too_many(threads.size()), p == 0 && work_off_the_gil(trace));
    }
    auto tasks = lanes_of([&](const trace::Lane& l) { return l.kind == LaneKind::Task && l.process == p; });
    if (tasks.size() >= kAlikeLanes) add(counted(tasks.size(), "task"), tasks, tasks, too_many(tasks.size()));
  }
  return groups;
}

std::vector<std::uint32_t> stacking_order(const std::vector<trace::Trace>& runs) {
  std::vector<std::uint32_t> order;
  std::vector<bool> placed(runs.size(), false);
  const auto place = [&](std::uint32_t r) {
    order.push_back(r);
    placed[r] = true;
  };
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    if (runs[r].origin != trace::Origin::Simulated) continue;
    place(r);
    for (std::uint32_t m = 0; m < runs.size(); ++m) {
      if (!placed[m] && runs[m].origin == trace::Origin::Measured && runs[m].run_name == runs[r].run_name) place(m);
    }
  }
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    if (!placed[r]) place(r);
  }
  return order;
}

std::string run_label(const trace::Trace& run) {
  return trace::display_name(run);
}

std::string run_name_in_force(const trace::Trace& run) {
  return run.in_force.empty() ? run.run_name : fmt::format("{} ({})", run.run_name, run.in_force);
}

std::vector<std::string> run_label_forms(const trace::Trace& run, bool under_prediction) {
  std::vector<std::string> forms{run_label(run)};
  if (run.origin != trace::Origin::Measured) return forms;
  if (!run.measured_by.empty()) {
    trace::Trace named = run.described_alike();  // a name alone: no lanes, no marks copied
    named.measured_by.clear();
    forms.push_back(run_label(named));
  }
  if (under_prediction) forms.push_back("measured");
  return forms;
}

std::string run_identity(const trace::Trace& run) {
  return fmt::format("{}\n{}\n{}", run.run_name, trace::to_string(run.origin), run.measured_by);
}

namespace {

const RunFolding& folding_of(const LayoutOptions& options, std::uint32_t run) {
  static const RunFolding kExpanded;
  return run < options.folding.size() ? options.folding[run] : kExpanded;
}

/// Appends the rows of one run at `y`; returns the y after it (gap included).
float place_run(const trace::Trace& run, std::uint32_t r, const std::vector<LaneGroup>& groups,
                const LayoutOptions& options, float y, std::vector<Row>& rows) {
  const float strip = options.strip_height > 0 ? options.strip_height : options.lane_height * 0.5f;
  const auto height_of = [&](trace::LaneId lane) {
    const bool core = run.lanes[lane].kind == LaneKind::Core;
    return core && options.core_height > 0 ? options.core_height : options.lane_height;
  };
  const RunFolding& folding = folding_of(options, r);
  // A run whose cores show nothing (a measured one: no recording sees the cores) gets no
  // strip: an empty one read "cores busy (of 2)" as no core ever busy.
  const bool has_cores = std::any_of(run.lanes.begin(), run.lanes.end(),
                                     [](const trace::Lane& l) { return l.kind == LaneKind::Core && !l.spans.empty(); });
  if (folding.collapsed) {
    // One line: the run's name beside the main interpreter's GIL (or its thread, without a
    // GIL; or its worker processes, in a pool), then how busy the cores were.
    const float h = std::max(options.lane_height, options.header_height);
    // A pool's line shows its workers, not a lane: no GIL badge of the main process over them.
    const std::uint32_t group = summary_group(groups);
    const trace::LaneId lane = group != trace::kNone                ? trace::kNone
                               : r < options.summary_lanes.size() ? options.summary_lanes[r]
                                                                  : summary_lane(run);
    rows.push_back(Row{Row::Kind::RunHeader, r, lane, group, y, h, true});
    y += h;
    if (!has_cores) return y + options.gap;
    rows.push_back(Row{Row::Kind::BusyCores, r, trace::kNone, trace::kNone, y, strip});
    return y + strip + options.gap;
  }
  rows.push_back(Row{Row::Kind::RunHeader, r, trace::kNone, trace::kNone, y, options.header_height});
  y += options.header_height;
  const bool cores_folded = folding.cores_folded && options.show_cores && has_cores;
  if (cores_folded) {
    rows.push_back(Row{Row::Kind::BusyCores, r, trace::kNone, trace::kNone, y, strip});
    y += strip;
  }
  // A folded group takes the place of its first hidden lane.
  std::vector<std::uint32_t> group_of(run.lanes.size(), trace::kNone);
  for (std::uint32_t g = 0; g < groups.size(); ++g) {
    if (!folding.group_folded(g, groups[g])) continue;
    for (trace::LaneId l : groups[g].hidden) {
      if (l < group_of.size()) group_of[l] = g;
    }
  }
  std::vector<bool> group_placed(groups.size(), false);
  for (trace::LaneId lane : ordered_lanes(run, options)) {
    if (cores_folded && run.lanes[lane].kind == LaneKind::Core) continue;
    const std::uint32_t g = group_of[lane];
    if (g == trace::kNone) {
      rows.push_back(Row{Row::Kind::Lane, r, lane, trace::kNone, y, height_of(lane)});
      y += height_of(lane);
    } else if (!group_placed[g]) {
      group_placed[g] = true;
      rows.push_back(Row{Row::Kind::Group, r, trace::kNone, g, y, options.lane_height});
      y += options.lane_height;
    }
  }
  return y + options.gap;
}

float run_height(const trace::Trace& run, const std::vector<LaneGroup>& groups, const LayoutOptions& options,
                 const RunFolding& folding) {
  LayoutOptions one = options;
  one.folding = {folding};
  std::vector<Row> rows;
  return place_run(run, 0, groups, one, 0, rows);
}

/// Runs 0..n-1, the highest `priority` first (file order among equals and without one).
std::vector<std::uint32_t> by_priority(std::size_t n, const std::vector<double>& priority) {
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  const auto rank = [&](std::uint32_t r) { return r < priority.size() ? priority[r] : 0.0; };
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return rank(a) > rank(b); });
  return order;
}

}  // namespace

TimelineLayout layout_rows(const std::vector<trace::Trace>& runs, const std::vector<std::vector<LaneGroup>>& groups,
                           const LayoutOptions& options) {
  TimelineLayout layout;
  static const std::vector<LaneGroup> kNoGroups;
  float y = 0;
  for (std::uint32_t r : stacking_order(runs)) {
    y = place_run(runs[r], r, r < groups.size() ? groups[r] : kNoGroups, options, y, layout.rows);
  }
  layout.total_height = y;
  return layout;
}

TimelineLayout layout_rows(const std::vector<trace::Trace>& runs, const LayoutOptions& options) {
  std::vector<std::vector<LaneGroup>> groups;
  for (const trace::Trace& run : runs) groups.push_back(lane_groups(run));
  return layout_rows(runs, groups, options);
}

namespace {

/// A folding fitted to a height: the rows' total kept as the runs' foldings change.
class Fitter {
 public:
  std::vector<RunFolding> folding;
  float total = 0;

  Fitter(const std::vector<trace::Trace>& runs, const std::vector<std::vector<LaneGroup>>& groups,
         const LayoutOptions& options, std::vector<RunFolding> folding, float height)
      : folding(std::move(folding)), runs_(runs), groups_(groups), options_(options), height_(height) {
    this->folding.resize(runs.size());
    for (std::uint32_t r = 0; r < runs.size(); ++r) total += height_of(r, this->folding[r]);
  }

  float height_of(std::uint32_t r, const RunFolding& f) const {
    static const std::vector<LaneGroup> kNoGroups;
    return run_height(runs_[r], r < groups_.size() ? groups_[r] : kNoGroups, options_, f);
  }
  bool fits() const { return total <= height_; }
  /// Run r's folding becomes `to`, whatever the height (collapsing only shrinks).
  void set(std::uint32_t r, const RunFolding& to) {
    total += height_of(r, to) - height_of(r, folding[r]);
    folding[r] = to;
  }
  /// Run r's folding becomes `to` when the rows still fit.
  bool try_folding(std::uint32_t r, const RunFolding& to) {
    const float grown = height_of(r, to) - height_of(r, folding[r]);
    if (total + grown > height_) return false;
    folding[r] = to;
    total += grown;
    return true;
  }
  /// The groups folded from the start for being many open where their lanes fit, runs in
  /// `order`, the smallest group of a run first.
  void open_many(const std::vector<std::uint32_t>& order) {
    for (std::uint32_t r : order) {
      if (folding[r].collapsed || r >= groups_.size()) continue;
      const std::vector<LaneGroup>& groups = groups_[r];
      std::vector<std::uint32_t> many;
      for (std::uint32_t g = 0; g < groups.size(); ++g) {
        if (folding[r].shown(g) == GroupShown::AsGrouped && groups[g].folded_at_first) many.push_back(g);
      }
      std::stable_sort(many.begin(), many.end(),
                       [&](std::uint32_t a, std::uint32_t b) { return groups[a].hidden.size() < groups[b].hidden.size(); });
      for (std::uint32_t g : many) {
        // Its lanes less the aggregate row: more than the room left (10,000 tasks) is not tried.
        const float thinnest =
            options_.core_height > 0 ? std::min(options_.core_height, options_.lane_height) : options_.lane_height;
        if (static_cast<float>(groups[g].hidden.size()) * thinnest > height_ - total + options_.lane_height) continue;
        RunFolding open = folding[r];
        open.show_group(g, GroupShown::Expanded);
        try_folding(r, open);
      }
    }
  }

 private:
  const std::vector<trace::Trace>& runs_;
  const std::vector<std::vector<LaneGroup>>& groups_;
  const LayoutOptions& options_;
  float height_;
};

}  // namespace

std::vector<RunFolding> fit_runs(const std::vector<trace::Trace>& runs, const std::vector<std::vector<LaneGroup>>& groups,
                                 const LayoutOptions& options, float height, const std::vector<double>& priority,
                                 bool fold_alike) {
  Fitter fit(runs, groups, options, options.folding, height);
  const std::vector<std::uint32_t> order = by_priority(runs.size(), priority);
  // Of the most telling run, the lane groups folded for being many.
  const auto many_folded = [&](const std::vector<RunFolding>& folding) {
    std::size_t n = 0;
    if (order.empty() || order[0] >= groups.size() || folding[order[0]].collapsed) return n;
    for (std::size_t g = 0; g < groups[order[0]].size(); ++g) {
      n += folding[order[0]].shown(g) == GroupShown::AsGrouped && groups[order[0]][g].folded_at_first;
    }
    return n;
  };
  std::optional<std::vector<RunFolding>> all_open;
  if (fit.fits()) {
    fit.open_many(order);
    if (many_folded(fit.folding) == 0) return fit.folding;
    // Every run fits, but the most telling one's threads, tasks or workers stay in one row
    // for want of the room the core lanes take: tried again below, runs reopened around them
    // (lesson 2 presented at 1920x1080 showed every core and "+ 10 threads").
    all_open = fit.folding;
  }
  // Too tall: collapse every run, then open them again, most telling first, while they fit.
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    RunFolding collapsed = fit.folding[r];
    collapsed.collapsed = true;
    collapsed.cores_folded = false;
    fit.set(r, collapsed);
  }
  // Threads first: every run that can, opens; with `fold_alike`, one that does not fit with
  // every lane fits with its open groups folded into aggregate rows, the largest first, as few
  // as it takes. A prediction opens with its measurements beside it, each folded alike where
  // that lets them open together (lesson 4's predicted asyncio run, its four tasks open,
  // took the room its measurement needed); the groups open again below where the rows fit.
  std::vector<std::vector<std::pair<std::uint32_t, GroupShown>>> folded_by_fit(runs.size());
  const auto opened = [&](std::uint32_t r, bool fold_every_group) {
    RunFolding open = fit.folding[r];
    open.collapsed = false;
    open.cores_folded = options.show_cores;
    std::vector<std::pair<std::uint32_t, GroupShown>> open_groups;
    if (fold_alike && r < groups.size()) {
      for (std::uint32_t g = 0; g < groups[r].size(); ++g) {
        if (!open.group_folded(g, groups[r][g])) open_groups.emplace_back(g, open.shown(g));
      }
      std::stable_sort(open_groups.begin(), open_groups.end(), [&](const auto& x, const auto& y) {
        return groups[r][x.first].hidden.size() > groups[r][y.first].hidden.size();
      });
    }
    if (fold_every_group) {
      for (const auto& [g, was] : open_groups) open.show_group(g, GroupShown::Folded);
    }
    return std::pair{open, open_groups};
  };
  // Opens every run of `unit` as `opened` says, or none of them.
  const auto open_together = [&](const std::vector<std::uint32_t>& unit, bool fold_every_group) {
    const std::vector<RunFolding> before = fit.folding;
    const float total_before = fit.total;
    for (const std::uint32_t r : unit) {
      auto [open, open_groups] = opened(r, fold_every_group);
      if (!fit.try_folding(r, open)) {
        fit.folding = before;
        fit.total = total_before;
        for (const std::uint32_t u : unit) folded_by_fit[u].clear();
        return false;
      }
      if (fold_every_group) folded_by_fit[r] = std::move(open_groups);
    }
    return true;
  };
  std::vector<bool> tried(runs.size(), false);
  bool first = true;
  for (std::uint32_t r : order) {
    if (tried[r]) continue;
    std::vector<std::uint32_t> unit{r};
    for (std::uint32_t m : order) {
      if (runs[r].origin == trace::Origin::Simulated && runs[m].origin == trace::Origin::Measured &&
          runs[m].run_name == runs[r].run_name && !tried[m]) {
        unit.push_back(m);
      }
    }
    for (const std::uint32_t u : unit) tried[u] = true;
    const bool most = std::exchange(first, false);
    if (!(unit.size() > 1 && (open_together(unit, false) || (fold_alike && open_together(unit, true))))) {
      for (const std::uint32_t u : unit) {
        auto [open, open_groups] = opened(u, false);
        if (fit.try_folding(u, open)) continue;
        for (const auto& [g, was] : open_groups) {  // the largest first, as few as it takes
          open.show_group(g, GroupShown::Folded);
          folded_by_fit[u].emplace_back(g, was);
          if (fit.try_folding(u, open)) break;
        }
        if (fit.folding[u].collapsed) folded_by_fit[u].clear();
      }
    }
    // The run the lesson is about shows its threads, tasks or workers each on its row where
    // they fit, before a less telling run takes the room: lesson 2 presented at 1280x720 opened
    // every run with its ten threads as "+ 10 threads", the rows its note points at.
    if (most) fit.open_many(unit);
  }
  // The groups a fit folded, open again where they fit: the smallest first, so as few stay
  // folded as the room allows.
  for (std::uint32_t r : order) {
    std::stable_sort(folded_by_fit[r].begin(), folded_by_fit[r].end(), [&](const auto& x, const auto& y) {
      return groups[r][x.first].hidden.size() < groups[r][y.first].hidden.size();
    });
    for (const auto& [g, was] : folded_by_fit[r]) {
      RunFolding unfolded = fit.folding[r];
      unfolded.show_group(g, was);
      fit.try_folding(r, unfolded);
    }
  }
  // Then the groups folded for being many, and the cores of every open run where they all fit:
  // lesson 5 presented showed the core lanes of "switch 20 ms", the most telling, and not
  // those of "switch 5 ms" beside it, as if that run had none.
  fit.open_many(order);
  const std::vector<RunFolding> before = fit.folding;
  const float total_before = fit.total;
  for (std::uint32_t r : order) {
    if (fit.folding[r].collapsed || !fit.folding[r].cores_folded) continue;
    RunFolding with_cores = fit.folding[r];
    with_cores.cores_folded = false;
    fit.set(r, with_cores);
  }
  if (!fit.fits()) {
    fit.folding = before;
    fit.total = total_before;
  }
  if (all_open && many_folded(fit.folding) >= many_folded(*all_open)) return *all_open;
  return fit.folding;
}

std::vector<RunFolding> open_groups_that_fit(const std::vector<trace::Trace>& runs,
                                             const std::vector<std::vector<LaneGroup>>& groups,
                                             const LayoutOptions& options, std::vector<RunFolding> folding, float height,
                                             const std::vector<double>& priority) {
  Fitter fit(runs, groups, options, std::move(folding), height);
  fit.open_many(by_priority(runs.size(), priority));
  return fit.folding;
}

bool interesting_wait(trace::SpanState state) {
  return state == trace::SpanState::WaitingGil || state == trace::SpanState::Runnable ||
         state == trace::SpanState::Stalled || state == trace::SpanState::WaitingLock;
}

double run_interest(const trace::Trace& run) {
  double waited = 0;
  for (const trace::Lane& lane : run.lanes) {
    if (lane.kind != LaneKind::Thread) continue;
    for (const trace::Span& s : lane.spans) {
      if (interesting_wait(s.state)) waited += static_cast<double>(s.duration().ns());
    }
  }
  return waited;
}

std::uint32_t most_telling(const std::vector<double>& priority) {
  return static_cast<std::uint32_t>(std::max_element(priority.begin(), priority.end()) - priority.begin());
}

bool shows_more(const std::vector<RunFolding>& a, const std::vector<RunFolding>& b, const std::vector<double>& priority) {
  const std::vector<std::uint32_t> order = by_priority(std::max(a.size(), b.size()), priority);
  const auto score = [&order](const std::vector<RunFolding>& folding) {
    std::vector<bool> open;
    for (const std::uint32_t r : order) open.push_back(r < folding.size() && !folding[r].collapsed);
    return std::pair{std::count(open.begin(), open.end(), true), open};
  };
  return score(a) > score(b);
}

std::vector<RunFolding> focus_run(std::size_t run_count, std::uint32_t run, const std::vector<RunFolding>& from) {
  std::vector<RunFolding> folding = from;
  folding.resize(run_count);
  for (std::uint32_t r = 0; r < run_count; ++r) folding[r].collapsed = r != run;
  return folding;
}

const Row* TimelineLayout::row_at(float y) const {
  auto it = std::upper_bound(rows.begin(), rows.end(), y, [](float v, const Row& r) { return v < r.y; });
  if (it == rows.begin()) return nullptr;
  --it;
  return y < it->y + it->height ? &*it : nullptr;
}

const Row* TimelineLayout::find(std::uint32_t run, trace::LaneId lane) const {
  for (const Row& r : rows) {
    if (r.run == run && r.lane == lane && lane != trace::kNone) return &r;
  }
  return nullptr;
}

const Row* TimelineLayout::header(std::uint32_t run) const {
  for (const Row& r : rows) {
    if (r.run == run && r.kind == Row::Kind::RunHeader) return &r;
  }
  return nullptr;
}

float collapsed_run_height(const LayoutOptions& options) {
  const float strip = options.strip_height > 0 ? options.strip_height : options.lane_height * 0.5f;
  return std::max(options.lane_height, options.header_height) + strip + options.gap;
}

float timeline_height_beside_sweep(float rest, float usual, float needed, float keep) {
  return std::round(std::min(usual, std::max(rest * keep, needed)));
}

}  // namespace gilsim::viz

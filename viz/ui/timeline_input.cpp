// Mouse input on the timeline's rows; see timeline_input.hpp.
#include "viz/ui/timeline_input.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "viz/few_jobs.hpp"
#include "viz/hit_test.hpp"
#include "viz/lane_density.hpp"
#include "viz/level_of_detail.hpp"
#include "viz/run_caveats.hpp"
#include "viz/text_layout.hpp"
#include "viz/ui/panels.hpp"
#include "viz/ui/timeline_rows.hpp"

namespace gilsim::viz::ui {

namespace {

constexpr float kWheelZoom = 1.25f;
/// How many of a run's jobs a click on its "marks folded" note zooms to.
constexpr std::size_t kFewJobs = 6;

/// The group of `run` that `lane` belongs to and that was expanded by a click, or kNone.
std::uint32_t expanded_group_of(const AppState& app, const std::vector<RunFolding>& folding, std::uint32_t run,
                                trace::LaneId lane) {
  const auto& groups = app.runs[run].groups;
  for (std::uint32_t g = 0; g < groups.size(); ++g) {
    if (run >= folding.size() || folding[run].shown(g) != GroupShown::Expanded) continue;
    for (trace::LaneId l : groups[g].hidden) {
      if (l == lane) return g;
    }
  }
  return trace::kNone;
}

void set_group(AppState& app, const std::vector<RunFolding>& shown, std::uint32_t run, std::uint32_t group,
               bool expanded) {
  app.folding = shown;
  app.folding.resize(app.session.runs().size());
  app.folding[run].show_group(group, expanded ? GroupShown::Expanded : GroupShown::Folded);
}

/// " (and the pool's resource tracker)" after a group of a spawn pool's workers, which folds it
/// too (and its forkserver).
std::string with_tracker(const trace::Trace& run) {
  const auto has = [&](std::string_view name) {
    return std::any_of(run.processes.begin(), run.processes.end(), [&](const trace::Process& p) { return p.name == name; });
  };
  if (!has(trace::kResourceTracker)) return "";
  return has(trace::kForkserver) ? " (and the pool's resource tracker and forkserver)" : " (and the pool's resource tracker)";
}

/// A run's line that shows its own threads (work_off_the_gil), not a pool's worker processes.
bool threads_line(const trace::Trace& run, const LaneGroup& g) {
  return !g.members.empty() && g.members.front() < run.lanes.size() && run.lanes[g.members.front()].process == 0;
}

/// Over a folded group's row: what the aggregate draws, and the lanes' states under the mouse.
void group_tooltip(const AppState& app, const Row& row, Time t) {
  const LaneGroup& g = app.runs[row.run].groups[row.group];
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30);
  const bool run_line = row.kind == Row::Kind::RunHeader;
  const trace::Trace& run = app.session.runs()[row.run];
  const bool threads = threads_line(run, g);
  ImGui::TextUnformatted(
      (run_line ? folded_line_meaning(run, g) : fmt::format("{}{}, folded into one row", g.label, with_tracker(run))).c_str());
  // The run's figures, which a line of long bars says on hover (draw_summary).
  if (run_line) {
    const auto judged = judge_run(app.session.runs(), app.runs, row.run);
    const auto texts = summary_texts(app.session.runs()[row.run], app.runs[row.run], judged ? &*judged : nullptr,
                                     app.session.scenario().note);
    if (!texts.empty()) ImGui::TextUnformatted(texts.front().c_str());
  }
  ImGui::TextUnformatted(fmt::format("Each colour's height is how many of them are in that state (the state colours of the "
                                     "legend), averaged over the pixel's time: a thin sliver is a short or rare state, blank "
                                     "is nothing to do. {}",
                                     run_line ? fmt::format("The full height is {}. Click to open the run.",
                                                            g.most_at_once > static_cast<std::size_t>(std::max(0, run.cores))
                                                                ? counted(g.most_at_once,
                                                                          threads ? "thread alive at once" : "worker alive at once",
                                                                          threads ? "threads alive at once" : "workers alive at once")
                                                                : "the run's " + counted(static_cast<std::size_t>(run.cores),
                                                                                         "core"))
                                              : std::string("Click to show each lane."))
                             .c_str());
  ImGui::TextUnformatted(group_breakdown(run, g.members, t).c_str());
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

}  // namespace

std::string folded_line_meaning(const trace::Trace& run, const LaneGroup& group) {
  // A line of threads shows them where its GIL, nearly free, would show nothing.
  const char* what = threads_line(run, group) ? "at work off the GIL, which is held for less than a quarter of the run"
                     : run.gil_mode == "none" ? "running Python in parallel without a GIL"
                                              : "each running Python under a GIL of its own";
  return fmt::format("The run folded to one line: its {}{}, {}", group.label, with_tracker(run), what);
}

std::string queue_chip_meaning(const QueueChipDrawn& chip) {
  if (!chip.named) return fmt::format("{}: threads waiting for this GIL at the playhead (At the playhead lists them all)", chip.text);
  return fmt::format("{}: this thread has waited so long so far for this GIL, and still waits at the playhead "
                     "(the longest wait nearest the playhead; At the playhead lists them all)",
                     chip.text);
}

namespace {

void tooltip(const AppState& app, std::optional<std::size_t> mark, std::uint32_t mark_run) {
  const auto& runs = app.session.runs();
  if (mark) {
    ImGui::BeginTooltip();
    const trace::Trace& run = runs[mark_run];
    const trace::Mark& m = run.marks[*mark];
    ImGui::TextUnformatted(fmt::format("{} at {}", trace::to_string(m.kind), m.at).c_str());
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30);
    ImGui::TextUnformatted(trace::describe(run, m).c_str());
    if (const HandoffLink* link = link_of_switch(app.runs[mark_run].handoffs, static_cast<std::uint32_t>(*mark))) {
      ImGui::TextUnformatted(why_text(run, *link).c_str());
    }
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  } else if (app.hovered) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30);
    ImGui::TextUnformatted(describe_span_detail(runs[app.hovered->run], app.hovered->lane, app.hovered->span).c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

}  // namespace

void toggle_run(AppState& app, const std::vector<RunFolding>& shown, std::uint32_t run) {
  app.folding = shown;
  app.folding.resize(app.session.runs().size());
  app.folding[run].collapsed = !app.folding[run].collapsed;
  app.fit_runs = false;
  app.focus.reset();
}

void toggle_focus(AppState& app, std::uint32_t run) {
  if (app.focus == run) {
    app.focus.reset();
    app.fit_runs = true;
  } else {
    app.focus = run;
  }
}

void handle_timeline_input(AppState& app, const TimelineInput& in) {
  const auto& runs = app.session.runs();
  ImGuiIO& io = ImGui::GetIO();
  const float scale = app.ui_scale;
  const float scroll = ImGui::GetScrollY();
  if (in.hovered && io.MouseWheel != 0) {
    if (io.KeyShift) {
      ImGui::SetScrollY(scroll - io.MouseWheel * app.layout.lane_height * 3);
    } else {
      app.view.zoom_around(io.MousePos.x - in.lanes_left, std::pow(kWheelZoom, io.MouseWheel));
      app.follow_playhead = false;
    }
  }
  if (in.active) {
    for (int button = 0; button < 3; ++button) {
      if (ImGui::IsMouseDragging(button, 3.0f)) {
        app.view.pan_px(io.MouseDelta.x);
        ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseDelta.y);
        app.follow_playhead = false;
        ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeAll);
        break;
      }
    }
  }
  app.hovered.reset();
  // Aligned at their ends, each run has its own stretch of the shared view.
  const auto view_of = [&](std::uint32_t r) {
    return app.align_ends ? stretched(app.view, end_stretch(runs[r].end, axis_end(runs, app.clip_measured))) : app.view;
  };
  std::optional<std::size_t> hovered_mark;
  std::uint32_t hovered_mark_run = 0;
  const Row* row = in.hovered ? in.layout.row_at(io.MousePos.y - in.content.y) : nullptr;
  const bool on_label = io.MousePos.x < in.lanes_left;
  // A collapsed run's header shows its GIL lane: hovering there is hovering the lane. A pool's
  // shows its worker processes as their aggregate, which tells its states as a group row does,
  // and opens the run on a click.
  const bool group_line = row && row->kind == Row::Kind::RunHeader && row->collapsed &&
                          row->group < app.runs[row->run].groups.size();
  const bool lane_under_mouse = row && row->lane != trace::kNone && !on_label;
  const bool header_click = row && row->kind == Row::Kind::RunHeader && !lane_under_mouse;
  if (lane_under_mouse) {
    const trace::Trace& run = runs[row->run];
    const double mx = io.MousePos.x - in.lanes_left;
    const TimeView view = view_of(row->run);
    hovered_mark = mark_near(run, row->lane, view, mx, 5.0 * scale);
    hovered_mark_run = row->run;
    if (hovered_mark && !has_glyph(run.marks[*hovered_mark].kind)) hovered_mark.reset();
    if (auto s = span_near(run.lanes[row->lane].spans, view, mx, 3.0)) app.hovered = SpanRef{row->run, row->lane, *s};
  }
  // A folded group draws its lanes' lost updates: hovering one tells what it was.
  if (app.show_marks && row && row->kind == Row::Kind::Group && !on_label && row->group < app.runs[row->run].groups.size()) {
    const trace::Trace& run = runs[row->run];
    const auto& hidden = app.runs[row->run].groups[row->group].hidden;
    const auto lost_update_inside = [&](const trace::Mark& m) {
      return m.kind == trace::MarkKind::LostUpdate && std::find(hidden.begin(), hidden.end(), m.lane) != hidden.end();
    };
    hovered_mark = mark_near(run, lost_update_inside, view_of(row->run), io.MousePos.x - in.lanes_left, 5.0 * scale);
    hovered_mark_run = row->run;
  }
  // An open run's busy-cores strip stands for its core lanes: a click on its name shows them.
  const bool cores_click = row && row->kind == Row::Kind::BusyCores && on_label && row->run < in.folding.size() &&
                           !in.folding[row->run].collapsed && in.folding[row->run].cores_folded;
  const bool clickable = row && (header_click || cores_click || row->kind == Row::Kind::Group ||
                                 (on_label && row->kind == Row::Kind::Lane &&
                                  expanded_group_of(app, in.folding, row->run, row->lane) != trace::kNone));
  if (clickable) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  if (in.hovered && ImGui::IsMouseReleased(ImGuiMouseButton_Left)) {
    // A click without a drag: fold or unfold what is under the mouse, or select a span.
    const ImVec2 from = io.MouseClickedPos[0];
    if (std::abs(io.MousePos.x - from.x) + std::abs(io.MousePos.y - from.y) < 3.0f) {
      // On an open header's "marks folded: click to zoom in" note: a few of its jobs across the
      // lanes (lesson 10's chunksize 1 run, a blur of 4,000 tasks, shows six round trips).
      const HeaderDrawn* header = header_click && !row->collapsed && row->run < app.timeline.headers.size()
                                      ? &app.timeline.headers[row->run]
                                      : nullptr;
      const bool on_note = header && header->note_left < header->right && io.MousePos.x >= header->note_left;
      if (on_note) {
        const auto& run = app.session.runs()[row->run];
        if (const auto window = few_jobs_window(run, app.playback.now(), kFewJobs)) {
          app.view.fit(window->first, window->second);
          app.follow_playhead = false;
          if (app.playback.now() < window->first || app.playback.now() > window->second) app.playback.seek(window->first);
        }
      } else if (header_click) {
        if (io.MouseClickedLastCount[0] >= 2) {
          toggle_focus(app, row->run);  // the first click folded it; focus decides anyway
        } else {
          toggle_run(app, in.folding, row->run);
        }
      } else if (cores_click) {
        app.folding = in.folding;
        app.folding[row->run].cores_folded = false;
        app.fit_runs = false;
      } else if (row && row->kind == Row::Kind::Group) {
        set_group(app, in.folding, row->run, row->group, true);
        app.fit_runs = false;
      } else if (clickable) {
        set_group(app, in.folding, row->run, expanded_group_of(app, in.folding, row->run, row->lane), false);
      } else {
        app.selected = app.hovered;
      }
    }
  }
  // A waiter's chip at the playhead says what it is (the legend's entry for it may have had no room).
  const auto chip = std::find_if(app.timeline.queue_chips.begin(), app.timeline.queue_chips.end(), [&](const QueueChipDrawn& c) {
    return io.MousePos.x >= c.left && io.MousePos.x <= c.right && io.MousePos.y >= c.top && io.MousePos.y <= c.bottom;
  });
  if (in.hovered && !in.active && chip != app.timeline.queue_chips.end()) {
    ImGui::SetTooltip("%s", queue_chip_meaning(*chip).c_str());
  } else if (in.hovered && !in.active && !hovered_mark && row &&
      ((row->kind == Row::Kind::Group && row->group < app.runs[row->run].groups.size()) || (group_line && !on_label))) {
    group_tooltip(app, *row, view_of(row->run).time_at(std::max(0.0, static_cast<double>(io.MousePos.x - in.lanes_left))));
  } else if (in.hovered && !in.active) {
    tooltip(app, hovered_mark, hovered_mark_run);
  }
}

}  // namespace gilsim::viz::ui

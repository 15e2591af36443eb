// The window layout: toolbar and legend on top; the timeline; the playhead state and the
// story below it; scenario, numbers and inspector on the right (hidden when presenting).
#include "viz/ui/app_frame.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <imgui_internal.h>

#include "sim/sweep/sweep_metric.hpp"
#include "viz/measuring.hpp"
#include "viz/timeline_layout.hpp"
#include "viz/ui/panels.hpp"
#include "viz/unseen_holder.hpp"

namespace gilsim::viz::ui {

namespace {

constexpr ImGuiWindowFlags kPanel = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                    ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                                    ImGuiWindowFlags_NoBringToFrontOnFocus;

bool begin_panel(const char* title, ImVec2 pos, ImVec2 size, ImGuiWindowFlags extra = 0) {
  ImGui::SetNextWindowPos(pos, ImGuiCond_Always);
  ImGui::SetNextWindowSize(size, ImGuiCond_Always);
  return ImGui::Begin(title, nullptr, kPanel | extra);
}

/// While a knob change is simulated the runs shown are the previous ones, then the new ones
/// as far as they are simulated: a note at the timeline's top right says which, and how far
/// the slowest run has got, its dots moving, so the window is seen to be working.
void draw_simulating_note(const Session& session, const float rect[4], double seconds) {
  const int dots = 1 + static_cast<int>(seconds * 3.0) % 3;
  Time least = Time::max();
  if (session.previewing()) {
    for (const trace::Trace& run : session.runs()) {
      if (run.partial()) least = min(least, run.simulated_until);
    }
  }
  const std::string so_far = least == Time::max() ? std::string() : fmt::format(": every run up to {} so far", least);
  const std::string text = fmt::format("simulating the new values{}{:.<{}}", so_far, "", dots);
  const std::string widest = fmt::format("simulating the new values{}...", so_far);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float pad = ImGui::GetFontSize() * 0.4f;
  const ImVec2 size = ImGui::CalcTextSize(widest.c_str());
  // Left of the lanes' scroll bar, on the time axis's row: no lane is hidden.
  const float right = rect[0] + rect[2] - ImGui::GetStyle().ScrollbarSize - pad;
  const ImVec2 max(right, rect[1] + pad / 2 + size.y + 2 * pad);
  const ImVec2 min(max.x - size.x - 2 * pad, rect[1] + pad / 2);
  draw->PushClipRectFullScreen();
  draw->AddRectFilled(min, max, IM_COL32(255, 248, 214, 245), pad);
  draw->AddRect(min, max, IM_COL32(160, 120, 0, 255), pad);
  draw->AddText(ImVec2(min.x + pad, min.y + pad), IM_COL32(60, 45, 0, 255), text.c_str());
  draw->PopClipRect();
}

}  // namespace

void draw_frame(AppState& app, double wall_seconds) {
  app.frame_seconds = wall_seconds;
  // Real runs and sweeps have the cores to themselves: no speculative knob values meanwhile.
  app.session.pause_speculation(measuring(app) || app.sweep.runner.running());
  app.session.poll(wall_seconds);
  refresh_derived(app);  // a no-op unless the runs changed
  collect_measurements(app);
  app.playback.advance(wall_seconds);
  app.status_age += wall_seconds;
  if (app.status_age > 6) app.status.clear();
  apply_request(app, read_shortcuts(toolbar_view(app)));

  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const float f = ImGui::GetFontSize();
  // The window may differ from the size asked for (a desktop's 90%): the next frame's fonts follow it.
  if (app.presentation && app.auto_presentation_scale) app.ui_scale = presentation_scale(display.x, display.y);

  const bool side = !app.presentation && display.x > f * 40;
  // Wide enough on a 1920 screen for the numbers table's six columns.
  const float side_w = side ? std::clamp(display.x * (display.x >= f * 110 ? 0.3f : 0.25f), f * 18, f * 38) : 0.0f;
  const float main_w = display.x - side_w;
  // A timeline PNG crops to the timeline's width: its frame wraps the legend there.
  const bool png_frame = app.legend_fits_timeline || (app.screenshot && app.screenshot->timeline_only);

  // Toolbar and legend: full width, as tall as their content.
  ImGui::SetNextWindowPos(ImVec2(0, 0), ImGuiCond_Always);
  ImGui::SetNextWindowSizeConstraints(ImVec2(display.x, 0), ImVec2(display.x, display.y * 0.4f));
  float top = 0;
  app.legend_top = -1;
  if (ImGui::Begin("##toolbar", nullptr, kPanel | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::SetWindowFontScale(chrome_font_scale(f, display.y));
    apply_request(app, draw_toolbar(toolbar_view(app), app.toolbar_widths));
    if (app.show_legend) {
      const auto& runs = app.session.runs();
      app.legend_top = draw_legend(app.states_seen, app.marks_seen, png_frame ? main_w : display.x,
                                   std::any_of(runs.begin(), runs.end(), gil_inferred),
                                   app.marks_seen[static_cast<std::size_t>(trace::MarkKind::Deadlock)], app.presentation);
    }
    top = ImGui::GetWindowHeight();
    app.toolbar_overflows = ImGui::GetScrollMaxY() > 0;
  }
  ImGui::End();

  const float rest_h = display.y - top;
  // Bigger text needs more rows for the same lanes: the timeline's share grows with the scale.
  const float share = std::min(0.78f, (app.presentation ? 0.72f : 0.63f) + 0.05f * (app.ui_scale - 1.0f));
  // The story under the timeline keeps its header row and three lines (it never scrolls sideways).
  const ImGuiStyle& style = ImGui::GetStyle();
  const float story_h = style.WindowPadding.y * 4 + ImGui::GetFrameHeightWithSpacing() +
                        3 * ImGui::GetTextLineHeightWithSpacing() + 4;
  float timeline_h = timeline_height(rest_h, share, story_h);
  if (app.sweep.visible) {
    // The sweep's chart, over the panels below, takes what the timeline can spare: its
    // title, its axis and a collapsed line per run stay, at the tightest rows the fit uses
    // (it drew them so, and the room budgeted for roomier ones, 10 px a run at 1280x720, was
    // what lesson 21's sweep over cores lacked to draw its curves).
    const float run_line = tightest_run_line(f, app.ui_scale, app.presentation);
    // The panel's padding (2 px each side) and a little more: without it the last run's
    // strip hid under a scroll bar.
    const float needed = (app.presentation ? 0 : ImGui::GetFrameHeight()) + std::round(f * 1.7f) +
                         static_cast<float>(app.session.runs().size()) * run_line + 4 + std::round(4 * app.ui_scale);
    // Presenting (a projector's 1280x720), the curve comes first: the timeline keeps its runs' lines alone.
    timeline_h = timeline_height_beside_sweep(rest_h, timeline_h, needed, app.presentation ? 0.0f : 0.4f);
  }
  float bottom_y = top + timeline_h;

  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(2, 2));
  // Titled with the scenario, so a timeline PNG (legend, title, lanes) says what it shows;
  // presenting, it has no title bar: every line goes to the runs.
  const std::string timeline_title =
      fmt::format("Timeline: {}{}###timeline", app.session.scenario().title, set_said(app.session.knobs(), app.session.scenario()));
  if (begin_panel(timeline_title.c_str(), ImVec2(0, top), ImVec2(main_w, timeline_h),
                  ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse |
                      (app.presentation ? ImGuiWindowFlags_NoTitleBar : 0))) {
    draw_timeline(app);
    if (app.session.simulating()) draw_simulating_note(app.session, app.timeline_rect, ImGui::GetTime());
    // The PNG of the timeline takes the legend and the title bar above it too.
    const float crop_top = app.legend_top >= 0 ? app.legend_top : ImGui::GetWindowPos().y;
    std::copy(std::begin(app.timeline_rect), std::end(app.timeline_rect), std::begin(app.timeline_png_rect));
    app.timeline_png_rect[3] += app.timeline_rect[1] - crop_top;
    app.timeline_png_rect[1] = crop_top;
    // Presenting, the panels below start under the timeline's last row, where the fit left room
    // under it: lesson 16 at 1280x720 kept 38 px empty there while the playhead panel hid its locks.
    if (app.presentation && !app.sweep.visible) {
      // Under the last row itself, not the gap the layout leaves after each run.
      float last_row = 0;
      for (const Row& row : app.timeline.layout.rows) last_row = std::max(last_row, row.y + row.height);
      const float rows_bottom = std::ceil(app.timeline.lanes_top + last_row + app.ui_scale);
      if (app.timeline.layout.total_height <= app.timeline.lanes_height && rows_bottom < bottom_y) {
        app.timeline_rect[3] -= bottom_y - rows_bottom;
        app.timeline_png_rect[3] -= bottom_y - rows_bottom;
        bottom_y = rows_bottom;
      }
    }
  }
  ImGui::End();
  ImGui::PopStyleVar();
  const float bottom_h = display.y - bottom_y;

  const float state_w = std::round(main_w * (app.presentation ? 0.5f : 0.45f));
  // The panels below are as tall as the story's three lines; presenting, this one's title is
  // its bold first line, and its title bar's line goes to the holders and waiters: lesson 14
  // at 1280x720 cut its lock's "waiting, without the GIL: clerk 4" in half at its foot, under a
  // title bar, the time and the run's name.
  // Presenting, its lines closer together, the room a line more for what a lesson points at
  // (lesson 4's stuck event loop, lesson 16's two locks).
  const ImGuiStyle& style_now = ImGui::GetStyle();
  const float tight = playhead_panel_spacing(app.ui_scale);
  if (app.presentation) {
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(style_now.WindowPadding.x, tight));
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(style_now.ItemSpacing.x, tight));
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(style_now.FramePadding.x, tight));
  }
  // In front of the timeline's window, whose foot they may cover (under its last row).
  const bool over_timeline = bottom_y < top + timeline_h;
  if (begin_panel("At the playhead", ImVec2(0, bottom_y), ImVec2(state_w, bottom_h),
                  app.presentation ? ImGuiWindowFlags_NoTitleBar : 0)) {
    if (over_timeline) ImGui::BringWindowToDisplayFront(ImGui::GetCurrentWindow());
    draw_playhead_state(app);
  }
  ImGui::End();
  if (app.presentation) ImGui::PopStyleVar(3);
  // Its name is on its header row, beside its filter: the title bar's line goes to the story.
  if (begin_panel("What happened", ImVec2(state_w, bottom_y), ImVec2(main_w - state_w, bottom_h),
                  ImGuiWindowFlags_NoTitleBar)) {
    if (over_timeline) ImGui::BringWindowToDisplayFront(ImGui::GetCurrentWindow());
    if (const auto seek = draw_narrative(app.session.runs(), app.runs, app.playback.now(), app.narrative, shown_resolution(app.view))) {
      app.playback.pause();
      app.playback.seek(*seek);
      app.view.keep_visible(*seek);
    }
  }
  ImGui::End();
  if (app.sweep.visible) {  // over the panels below the timeline (in front of them) while it is open
    // The title names what the chart plots; "###sweep" keeps one window whatever it says.
    const std::string title = fmt::format("Sweep: {} as one knob moves###sweep", sweep::metric_axis_title(app.sweep.metric));
    if (begin_panel(title.c_str(), ImVec2(0, bottom_y), ImVec2(main_w, bottom_h),
                    ImGuiWindowFlags_NoFocusOnAppearing)) {
      ImGui::BringWindowToDisplayFront(ImGui::GetCurrentWindow());
      if (const auto knobs = draw_sweep_panel(app.sweep, app.session)) {
        app.session.set_knobs_in_background(*knobs, derive_runs_for_session);
      }
    }
    ImGui::End();
  }

  if (side) {
    const float scenario_h = std::round(rest_h * 0.55f);
    if (begin_panel("Scenario", ImVec2(main_w, top), ImVec2(side_w, scenario_h))) draw_scenario_panel(app);
    ImGui::End();
    if (begin_panel("##details", ImVec2(main_w, top + scenario_h), ImVec2(side_w, rest_h - scenario_h),
                    ImGuiWindowFlags_NoTitleBar)) {
      const bool newly_selected = app.selected && app.selected != app.inspector_shown;
      app.inspector_shown = app.selected;
      if (ImGui::BeginTabBar("##tabs")) {
        if (ImGui::BeginTabItem("Numbers")) {
          draw_numbers(app);
          ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("Inspector", nullptr, newly_selected ? ImGuiTabItemFlags_SetSelected : 0)) {
          const InspectorRequest asked = draw_inspector(app.session.runs(), app.selected);
          if (asked.seek) app.playback.seek(*asked.seek);
          if (asked.zoom) {
            app.view.fit(asked.zoom->first, asked.zoom->second);
            app.follow_playhead = false;
          }
          ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
      }
    }
    ImGui::End();
  }
  app.show_help = draw_help_overlay(app.show_help);
  ++app.frames_drawn;
}

}  // namespace gilsim::viz::ui

// The timeline: axis, run headers, lanes, marks, playhead and lock tokens, plus its mouse
// input (scrub on the axis; wheel zoom, drag pan, hover and click on the lanes).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "viz/hit_test.hpp"
#include "viz/level_of_detail.hpp"
#include "viz/palette.hpp"
#include "viz/ui/panels.hpp"
#include "viz/ui/theme.hpp"
#include "viz/ui/timeline_painter.hpp"

namespace gilsim::viz::ui {

using trace::LaneKind;

namespace {

constexpr float kWheelZoom = 1.25f;

/// Per run, lane -> row index in the layout (or -1 when hidden): where a GIL holder's token goes.
std::vector<std::vector<int>> rows_by_lane(const TimelineLayout& layout, const std::vector<trace::Trace>& runs) {
  std::vector<std::vector<int>> out(runs.size());
  for (std::size_t r = 0; r < runs.size(); ++r) out[r].assign(runs[r].lanes.size(), -1);
  for (std::size_t i = 0; i < layout.rows.size(); ++i) {
    const Row& row = layout.rows[i];
    if (row.kind == Row::Kind::Lane) out[row.run][row.lane] = static_cast<int>(i);
  }
  return out;
}

void draw_run_header(ImDrawList* dl, const AppState& app, std::uint32_t r, ImVec2 a, ImVec2 b) {
  const trace::Trace& run = app.session.runs()[r];
  const bool measured = run.origin == trace::Origin::Measured;
  dl->AddRectFilled(a, b, measured ? IM_COL32(245, 232, 218, 255) : IM_COL32(225, 230, 240, 255));
  dl->AddLine(ImVec2(a.x, a.y), ImVec2(b.x, a.y), IM_COL32(120, 120, 140, 255), 1.0f);
  const float ty = a.y + (b.y - a.y - ImGui::GetFontSize()) * 0.5f;
  const std::string name = run.run_name;
  dl->AddText(bold_font(), ImGui::GetFontSize(), ImVec2(a.x + 6, ty), IM_COL32(0, 0, 0, 255), name.c_str());
  const float name_w = bold_font()->CalcTextSizeA(ImGui::GetFontSize(), 1e9f, 0, name.c_str()).x;
  const int idle = idle_cores(run);
  const bool finished = app.runs[r].metrics.finished();
  const std::string what = fmt::format("{}{}, GIL {}, {} core{}{}  -  {} at {}", run.executor,
                                       run.origin != trace::Origin::Measured ? std::string()
                                       : run.measured_by.empty()             ? std::string(" (measured)")
                                                                             : fmt::format(", {} (measured)", run.measured_by),
                                       run.gil_mode,
                                       run.cores, run.cores == 1 ? "" : "s",
                                       idle > 0 ? fmt::format(" ({} never used)", idle) : std::string(),
                                       finished ? "done" : "stopped (jobs unfinished)", run.end);
  std::string versus;
  if (const auto error = prediction_error_of(app, r)) {
    const std::uint32_t p = app.runs[r].predicted_by;
    versus = fmt::format("  -  predicted {}, {:.1f}% {} the measurement", app.runs[p].metrics.makespan,
                         100.0 * std::abs(*error), *error < 0 ? "below" : "above");
  }
  dl->AddText(ImVec2(a.x + 6 + name_w + 14, ty), IM_COL32(50, 50, 60, 255), what.c_str());
  if (!versus.empty()) {
    const float what_w = ImGui::CalcTextSize(what.c_str()).x;
    dl->AddText(ImVec2(a.x + 6 + name_w + 14 + what_w, ty), IM_COL32(170, 60, 0, 255), versus.c_str());
  }
}

void draw_lane_label(ImDrawList* dl, const AppState& app, std::uint32_t r, const trace::Trace& run,
                     trace::LaneId lane_id, ImVec2 a, ImVec2 b) {
  const trace::Lane& lane = run.lanes[lane_id];
  const float h = b.y - a.y;
  const float ty = a.y + (h - ImGui::GetFontSize()) * 0.5f;
  float x = a.x + 6;
  if (lane.kind == LaneKind::Task) x += h * 0.6f;  // tasks sit under their loop's thread
  const std::uint32_t ordinal = app.runs[r].identity[lane_id];
  if (ordinal != trace::kNone) {
    const float s = h * 0.55f;
    dl->AddRectFilled(ImVec2(x, a.y + (h - s) * 0.5f), ImVec2(x + s, a.y + (h + s) * 0.5f),
                      to_u32(identity_colour(ordinal)), 2.0f);
    x += s + 5;
  }
  ImFont* font = lane.kind == LaneKind::Gil ? bold_font() : ImGui::GetFont();
  const ImVec4 clip(a.x, a.y, b.x - 2, b.y);
  dl->AddText(font, ImGui::GetFontSize(), ImVec2(x, ty), IM_COL32(15, 15, 15, 255), lane.name.c_str(), nullptr,
              0.0f, &clip);
}

void animate_tokens(AppState& app, const TimelineLayout& layout, const std::vector<std::vector<int>>& rows) {
  const auto& runs = app.session.runs();
  const float follow = 1.0f - static_cast<float>(std::exp(-app.frame_seconds * 14.0));
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    const trace::Trace& run = runs[r];
    auto& ys = app.token_y[r];
    ys.resize(run.processes.size(), -1.0f);
    for (trace::ProcessId p = 0; p < run.processes.size(); ++p) {
      const trace::LaneId gil = run.processes[p].gil_lane;
      if (gil >= run.lanes.size() || rows[r][gil] < 0) continue;
      trace::LaneId holder = trace::kNone;
      if (auto s = span_at(run.lanes[gil].spans, app.playback.now())) holder = run.lanes[gil].spans[*s].subject;
      const int target_row = holder < run.lanes.size() && rows[r][holder] >= 0 ? rows[r][holder] : rows[r][gil];
      const Row& row = layout.rows[static_cast<std::size_t>(target_row)];
      const float target = row.y + row.height * 0.5f;
      ys[p] = ys[p] < 0 ? target : ys[p] + (target - ys[p]) * follow;
    }
  }
}

}  // namespace

void draw_timeline(AppState& app) {
  const auto& runs = app.session.runs();
  ImGuiIO& io = ImGui::GetIO();
  const float scale = app.ui_scale;
  const float label_w = std::round(std::clamp(ImGui::GetContentRegionAvail().x * 0.12f, 110.0f * scale, 170.0f * scale));
  const float axis_h = std::round(ImGui::GetFontSize() * 1.7f);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float lanes_w = std::max(50.0f, avail.x - label_w - ImGui::GetStyle().ScrollbarSize);
  app.timeline_rect[0] = origin.x;
  app.timeline_rect[1] = origin.y;
  app.timeline_rect[2] = avail.x;
  app.timeline_rect[3] = avail.y;

  const Time end = total_end(runs);
  app.view.set_width(lanes_w);
  if (app.fit_pending) {
    app.view.fit(app.fit_range ? app.fit_range->first : Time::zero(), app.fit_range ? app.fit_range->second : end);
    app.fit_pending = false;
    app.fit_range.reset();
  }
  if (app.follow_playhead && app.playback.playing()) app.view.keep_visible(app.playback.now());
  app.view.limit(end);

  app.layout.lane_height = std::round(ImGui::GetFontSize() * 1.35f);
  app.layout.core_height = std::round(ImGui::GetFontSize() * 0.95f);
  app.layout.header_height = std::round(ImGui::GetFontSize() * 1.6f);
  app.layout.gap = std::round(6 * scale);
  const TimelineLayout layout = layout_rows(runs, app.layout);
  const auto rows = rows_by_lane(layout, runs);

  // --- axis: click or drag to scrub ---
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float lanes_left = origin.x + label_w;
  ImGui::SetCursorScreenPos(ImVec2(lanes_left, origin.y));
  ImGui::InvisibleButton("##axis", ImVec2(lanes_w, axis_h));
  if (ImGui::IsItemActive()) {
    app.playback.pause();
    app.playback.seek(app.view.time_at(io.MousePos.x - lanes_left));
  }
  if (ImGui::IsItemHovered()) ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeEW);
  paint_axis(dl, time_ticks(app.view, 90.0 * scale), LaneBox{lanes_left, origin.y, lanes_left + lanes_w, origin.y + axis_h});
  dl->AddRectFilled(origin, ImVec2(lanes_left, origin.y + axis_h), IM_COL32(236, 236, 236, 255));
  dl->AddText(ImVec2(origin.x + 6, origin.y + (axis_h - ImGui::GetFontSize()) * 0.5f), IM_COL32(60, 60, 60, 255),
              "time");

  // --- lanes, in a child window that scrolls vertically ---
  ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + axis_h));
  const float child_h = std::max(20.0f, avail.y - axis_h);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  ImGui::BeginChild("##lanes", ImVec2(avail.x, child_h), false, ImGuiWindowFlags_NoScrollWithMouse);
  ImGui::PopStyleVar();
  ImDrawList* ldl = ImGui::GetWindowDrawList();
  const ImVec2 content = ImGui::GetCursorScreenPos();
  const float scroll = ImGui::GetScrollY();
  const float lanes_x = content.x + label_w;
  ImGui::SetCursorScreenPos(ImVec2(lanes_x, content.y));
  ImGui::InvisibleButton("##lanes_input", ImVec2(lanes_w, std::max(1.0f, layout.total_height)),
                         ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight |
                             ImGuiButtonFlags_MouseButtonMiddle);
  const bool lanes_hovered = ImGui::IsItemHovered();
  const bool lanes_active = ImGui::IsItemActive();

  static thread_local std::vector<DrawItem> items;
  const float visible_top = scroll - 2, visible_bottom = scroll + child_h + 2;
  const float right = lanes_x + lanes_w;
  for (const Row& row : layout.rows) {
    if (row.y + row.height < visible_top || row.y > visible_bottom) continue;
    const float y0 = content.y + row.y, y1 = y0 + row.height;
    const trace::Trace& run = runs[row.run];
    if (row.kind == Row::Kind::RunHeader) {
      draw_run_header(ldl, app, row.run, ImVec2(content.x, y0), ImVec2(right, y1));
      continue;
    }
    const trace::Lane& lane = run.lanes[row.lane];
    if (lane.kind == LaneKind::Gil) ldl->AddRectFilled(ImVec2(lanes_x, y0), ImVec2(right, y1), IM_COL32(246, 246, 240, 255));
    ldl->AddLine(ImVec2(content.x, y1 - 0.5f), ImVec2(right, y1 - 0.5f), IM_COL32(225, 225, 225, 255));
    draw_lane_label(ldl, app, row.run, run, row.lane, ImVec2(content.x, y0), ImVec2(lanes_x, y1));
    const LaneBox box{lanes_x, y0, right, y1};
    ldl->PushClipRect(ImVec2(lanes_x, y0), ImVec2(right, y1), true);
    items.clear();
    build_draw_items(lane.spans, app.view, items);
    if (room_for_lane(ldl, items.size())) {
      paint_lane_items(ldl, LaneColouring{&run, &app.runs[row.run].identity}, lane, items, box);
    }
    if (lane.kind == LaneKind::Gil) {
      for (const GilContention& c : app.runs[row.run].contention) {
        if (c.process != lane.process) continue;
        items.clear();
        build_draw_items(c.spans, app.view, items);
        if (room_for_lane(ldl, items.size())) paint_contention(ldl, items, box);
      }
    }
    if (app.selected && app.selected->run == row.run && app.selected->lane == row.lane) {
      const trace::Span& s = lane.spans[app.selected->span];
      const float x0 = lanes_x + static_cast<float>(app.view.x_of(s.begin));
      const float x1 = lanes_x + static_cast<float>(app.view.x_of(s.end));
      ldl->AddRect(ImVec2(x0 - 1, y0), ImVec2(std::max(x1, x0 + 2) + 1, y1), IM_COL32(0, 0, 0, 255), 0, 0, 2.5f);
    }
    ldl->PopClipRect();
  }

  // --- marks: glyphs, at most one per lane every few pixels ---
  if (app.show_marks) {
    ldl->PushClipRect(ImVec2(lanes_x, content.y + scroll), ImVec2(right, content.y + scroll + child_h), true);
    static thread_local std::vector<std::uint32_t> marks;
    for (const Row& row : layout.rows) {
      if (row.kind != Row::Kind::Lane || row.y + row.height < visible_top || row.y > visible_bottom) continue;
      const trace::Trace& run = runs[row.run];
      marks.clear();
      visible_marks(run, app.runs[row.run].glyph_marks[row.lane], app.view, 5.0 * scale, marks);
      const LaneBox box{lanes_x, content.y + row.y, right, content.y + row.y + row.height};
      for (std::uint32_t m : marks) {
        if (!room_for_detail(ldl)) break;
        paint_mark(ldl, run.marks[m].kind, lanes_x + static_cast<float>(app.view.x_of(run.marks[m].at)), box);
      }
    }
    ldl->PopClipRect();
  }

  // --- playhead and lock tokens ---
  const float px = lanes_x + static_cast<float>(app.view.x_of(app.playback.now()));
  animate_tokens(app, layout, rows);
  if (px >= lanes_x - 1 && px <= right + 1) {
    ldl->PushClipRect(ImVec2(lanes_x - 1, content.y + scroll), ImVec2(right + 80 * scale, content.y + scroll + child_h), true);
    ldl->AddLine(ImVec2(px, content.y + scroll), ImVec2(px, content.y + scroll + child_h), IM_COL32(20, 20, 20, 255), 2.0f);
    for (std::uint32_t r = 0; r < runs.size(); ++r) {
      const trace::Trace& run = runs[r];
      for (trace::ProcessId p = 0; p < run.processes.size() && p < app.token_y[r].size(); ++p) {
        const trace::LaneId gil = run.processes[p].gil_lane;
        if (gil >= run.lanes.size() || app.token_y[r][p] < 0) continue;
        auto s = span_at(run.lanes[gil].spans, app.playback.now());
        const std::uint32_t holder = s ? run.lanes[gil].spans[*s].subject : trace::kNone;
        const std::uint32_t ordinal = holder < run.lanes.size() ? app.runs[r].identity[holder] : trace::kNone;
        const ImU32 fill = ordinal == trace::kNone ? IM_COL32(255, 255, 255, 255) : to_u32(identity_colour(ordinal));
        paint_token(ldl, ImVec2(px, content.y + app.token_y[r][p]), app.layout.lane_height * 0.8f, fill,
                    ordinal != trace::kNone);
      }
    }
    ldl->PopClipRect();
    dl->AddTriangleFilled(ImVec2(px - 7 * scale, origin.y + axis_h - 9 * scale), ImVec2(px + 7 * scale, origin.y + axis_h - 9 * scale),
                          ImVec2(px, origin.y + axis_h), IM_COL32(20, 20, 20, 255));
  }

  // --- input on the lanes ---
  if (lanes_hovered && io.MouseWheel != 0) {
    if (io.KeyShift) {
      ImGui::SetScrollY(scroll - io.MouseWheel * app.layout.lane_height * 3);
    } else {
      app.view.zoom_around(io.MousePos.x - lanes_x, std::pow(kWheelZoom, io.MouseWheel));
      app.follow_playhead = false;
    }
  }
  if (lanes_active) {
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
  std::optional<std::size_t> hovered_mark;
  std::uint32_t hovered_mark_run = 0;
  if (lanes_hovered) {
    const Row* row = layout.row_at(io.MousePos.y - content.y);
    const double mx = io.MousePos.x - lanes_x;
    if (row && row->kind == Row::Kind::Lane) {
      const trace::Trace& run = runs[row->run];
      hovered_mark = mark_near(run, row->lane, app.view, mx, 5.0 * scale);
      hovered_mark_run = row->run;
      if (hovered_mark && !has_glyph(run.marks[*hovered_mark].kind)) hovered_mark.reset();
      if (auto s = span_near(run.lanes[row->lane].spans, app.view, mx, 3.0)) {
        app.hovered = SpanRef{row->run, row->lane, *s};
      }
    }
  }
  if (lanes_hovered && ImGui::IsMouseReleased(ImGuiMouseButton_Left)) {
    // A click without a drag selects the span under the mouse (or clears the selection).
    const ImVec2 from = io.MouseClickedPos[0];
    if (std::abs(io.MousePos.x - from.x) + std::abs(io.MousePos.y - from.y) < 3.0f) app.selected = app.hovered;
  }
  if (lanes_hovered && !lanes_active) {
    if (hovered_mark) {
      ImGui::BeginTooltip();
      const trace::Trace& run = runs[hovered_mark_run];
      const trace::Mark& m = run.marks[*hovered_mark];
      ImGui::TextUnformatted(fmt::format("{} at {}", trace::to_string(m.kind), m.at).c_str());
      ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30);
      ImGui::TextUnformatted(trace::describe(run, m).c_str());
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
  ImGui::EndChild();
}

}  // namespace gilsim::viz::ui

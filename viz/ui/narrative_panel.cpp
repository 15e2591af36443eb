// The story of the marks, synced with the playhead: the current line is highlighted and
// kept in view; clicking a line moves the playhead there.
#include <fmt/format.h>

#include "viz/ui/panels.hpp"
#include "viz/ui/theme.hpp"

namespace gilsim::viz::ui {

void draw_narrative(AppState& app) {
  const auto& runs = app.session.runs();
  // Filter: all runs or one, every event or GIL events only.
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
  const std::string current =
      app.narrative_filter.run < runs.size() ? run_label(runs[app.narrative_filter.run]) : "all runs";
  if (ImGui::BeginCombo("##narrative_run", current.c_str())) {
    if (ImGui::Selectable("all runs", app.narrative_filter.run == trace::kNone)) {
      app.narrative_filter.run = trace::kNone;
      app.narrative_dirty = true;
    }
    for (std::uint32_t r = 0; r < runs.size(); ++r) {
      ImGui::PushID(static_cast<int>(r));
      if (ImGui::Selectable(run_label(runs[r]).c_str(), app.narrative_filter.run == r)) {
        app.narrative_filter.run = r;
        app.narrative_dirty = true;
      }
      ImGui::PopID();
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  if (ImGui::Checkbox("GIL events only", &app.narrative_filter.gil_only)) app.narrative_dirty = true;
  if (app.narrative_filter.run != trace::kNone && app.narrative_filter.run >= runs.size()) {
    app.narrative_filter.run = trace::kNone;
    app.narrative_dirty = true;
  }
  if (app.narrative_dirty) {
    app.narrative.build(runs, app.narrative_filter);
    app.narrative_dirty = false;
  }

  const std::ptrdiff_t at = app.narrative.index_at(app.playback.now());
  ImGui::BeginChild("##story", ImVec2(0, 0), true, ImGuiWindowFlags_HorizontalScrollbar);
  const float line_h = ImGui::GetTextLineHeightWithSpacing();
  // Keep the current line in view when the playhead moves (not while the reader scrolls).
  if (at != app.narrative_followed) {
    const float y = static_cast<float>(std::max<std::ptrdiff_t>(at, 0)) * line_h;
    const float top = ImGui::GetScrollY(), h = ImGui::GetWindowHeight();
    if (y < top + line_h || y > top + h - 2 * line_h) ImGui::SetScrollY(std::max(0.0f, y - h * 0.4f));
    app.narrative_followed = at;
  }
  const bool all_runs = app.narrative_filter.run == trace::kNone && runs.size() > 1;
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(app.narrative.size()), line_h);
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const NarrativeLine& line = app.narrative.line(static_cast<std::size_t>(i));
      std::string text = fmt::format("{:>10}  ", format_time(line.at));
      if (all_runs) text += fmt::format("[{}] ", run_label(runs[line.run]));
      text += Narrative::text(runs, line);
      // At a forced switch: why the new holder won.
      if (runs[line.run].marks[line.mark].kind == trace::MarkKind::ForcedSwitch) {
        if (const HandoffLink* link = link_of_switch(app.runs[line.run].handoffs, line.mark)) {
          text += ": " + why_text(runs[line.run], *link);
        }
      }
      ImGui::PushID(i);
      const bool current_line = i == at;
      if (current_line) ImGui::PushStyleColor(ImGuiCol_Header, ImVec4(1.0f, 0.85f, 0.35f, 1.0f));
      if (ImGui::Selectable(text.c_str(), current_line)) {
        app.playback.pause();
        app.playback.seek(line.at);
        app.view.keep_visible(line.at);
      }
      if (current_line) ImGui::PopStyleColor();
      ImGui::PopID();
    }
  }
  if (app.narrative.size() == 0) ImGui::TextDisabled("No events.");
  ImGui::EndChild();
}

}  // namespace gilsim::viz::ui

// The story of the marks, synced with the playhead: the current line is highlighted and
// kept in view; clicking a line asks for the playhead there. It reads the runs and owns
// only its NarrativePanel.
#include <algorithm>
#include <optional>

#include <fmt/format.h>
#include <imgui_internal.h>  // SetNextWindowScroll: the list scrolls in the frame the playhead moves

#include "viz/text_layout.hpp"
#include "viz/ui/panels.hpp"
#include "viz/ui/theme.hpp"

namespace gilsim::viz::ui {

std::optional<Time> draw_narrative(const std::vector<trace::Trace>& runs, const std::vector<RunIndex>& index, Time now,
                                   NarrativePanel& panel, Time resolution) {
  // One header row: the panel's name, then its filter (all runs or one, GIL events only).
  ImGui::PushFont(bold_font());
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("What happened");
  ImGui::PopFont();
  ImGui::SameLine();
  // The filter keeps to the header row: the run list narrows first (to six letters' room),
  // then the checkbox says "GIL only" (its tooltip says the rest); only then does it wrap.
  const ImGuiStyle& style = ImGui::GetStyle();
  const float f = ImGui::GetFontSize();
  const auto checkbox_w = [&](const char* label) {
    return ImGui::GetFrameHeight() + style.ItemInnerSpacing.x + ImGui::CalcTextSize(label).x;
  };
  const float room = ImGui::GetContentRegionAvail().x - style.ItemSpacing.x;
  const char* gil_label = "GIL events only";
  float combo_w = std::min(f * 10, room - checkbox_w(gil_label));
  if (combo_w < f * 6) {
    gil_label = "GIL only";
    combo_w = std::clamp(room - checkbox_w(gil_label), f * 6, f * 10);
  }
  ImGui::SetNextItemWidth(combo_w);
  NarrativeFilter& filter = panel.filter;
  const std::string current = filter.run < runs.size() ? run_label(runs[filter.run]) : "all runs";
  if (ImGui::BeginCombo("##narrative_run", current.c_str())) {
    if (ImGui::Selectable("all runs", filter.run == trace::kNone)) {
      filter.run = trace::kNone;
      panel.dirty = true;
    }
    for (std::uint32_t r = 0; r < runs.size(); ++r) {
      ImGui::PushID(static_cast<int>(r));
      if (ImGui::Selectable(run_label(runs[r]).c_str(), filter.run == r)) {
        filter.run = r;
        panel.dirty = true;
      }
      ImGui::PopID();
    }
    ImGui::EndCombo();
  }
  same_line_or_wrap(checkbox_w(gil_label));
  if (ImGui::Checkbox(gil_label, &filter.gil_only)) panel.dirty = true;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("the GIL's events only: requests, drops, switches and hand-overs");
  if (filter.run != trace::kNone && filter.run >= runs.size()) {
    filter.run = trace::kNone;
    panel.dirty = true;
  }
  HandoffsByRun handoffs;
  for (const RunIndex& i : index) handoffs.push_back(&i.handoffs);
  const bool rebuilt = panel.dirty;
  if (panel.dirty) {
    panel.narrative.build(runs, filter, handoffs);
    panel.dirty = false;
    panel.followed = -2;  // other lines: the playhead's number may be the same and the line another
  }

  std::optional<Time> seek;
  const std::ptrdiff_t at = panel.narrative.index_at(now);
  const bool all_runs = filter.run == trace::kNone && runs.size() > 1;
  // The step line i's instant is written to: `resolution`, or the gap to the nearest line
  // before or after it at another instant where that is shorter (past the lines at its own
  // instant and the why rows, a few at most: a story line names one event).
  // The gap from line i to the nearest line at another instant, looking `step` (+1 or -1)
  // lines at a time, at most 16 lines away: infinite where there is none.
  const auto gap_towards = [&](std::size_t i, std::ptrdiff_t step) {
    const Time at = panel.narrative.line(i).at;
    auto j = static_cast<std::ptrdiff_t>(i);
    for (int looked = 0; looked < 16; ++looked) {
      j += step;
      if (j < 0 || static_cast<std::size_t>(j) >= panel.narrative.size()) break;
      const Time other = panel.narrative.line(static_cast<std::size_t>(j)).at;
      if (other != at) return at > other ? at - other : other - at;
    }
    return Time::max();
  };
  const auto step_at = [&](std::size_t i) { return std::min({resolution, gap_towards(i, -1), gap_towards(i, +1)}); };
  const auto line_text = [&](std::size_t i) {
    const NarrativeLine& line = panel.narrative.line(i);
    // A hand-off's why sits on its own row under the switch, indented past the time.
    std::string text = line.why ? std::string(14, ' ') : fmt::format("{:>10}  ", format_time_to(line.at, step_at(i)));
    if (all_runs && !line.why) text += fmt::format("[{}] ", run_label(runs[line.run]));
    return text + Narrative::text(runs, line, handoffs);
  };
  // Every line of the playhead's instant in its run shows whole (both halves of a deadlock).
  const auto at_playhead = [&](std::size_t i) {
    if (at < 0) return false;
    const NarrativeLine& current = panel.narrative.line(static_cast<std::size_t>(at));
    return panel.narrative.line(i).at == current.at && panel.narrative.line(i).run == current.run;
  };
  // No sideways scrolling: a line too long for the panel ends in "…" and shows whole on hover;
  // the playhead's lines show whole, on more rows ("deadlock: T1 waits for ..., held by T2").
  const float line_h = ImGui::GetTextLineHeightWithSpacing();
  const auto whole = [&](const std::string& text) {
    return wrap_indented(text, panel.text_width, std::string(14, ' '), text_width);
  };
  // The playhead's instant's first line. At most a panel's worth of the instant's lines is
  // measured and drawn whole: more never fit anyway.
  constexpr std::size_t kMeasured = 64;
  std::size_t first = at >= 0 ? static_cast<std::size_t>(at) : 0;
  while (at >= 0 && first > 0 && static_cast<std::size_t>(at) - first < kMeasured &&
         panel.narrative.line(first - 1).at == panel.narrative.line(first).at) {
    --first;
  }
  if (at != panel.followed && at >= 0 && panel.text_width > 0) {
    // The list scrolls under the playhead: the end of its instant's lines stays three fifths
    // down (lower for lines that need the room), so a line shown on two rows pushes the lines
    // above it up, and the lines below it never jump.
    float rows_h = 0;
    std::optional<float> above_current;  // the rows of the instant above the playhead's line
    const NarrativeLine& current = panel.narrative.line(static_cast<std::size_t>(at));
    for (std::size_t i = first; i <= static_cast<std::size_t>(at); ++i) {
      const NarrativeLine& line = panel.narrative.line(i);
      if (!above_current && line.mark == current.mark && line.run == current.run) above_current = rows_h;
      const std::string text = line_text(i);
      if (!at_playhead(i) || text_width(text) <= panel.text_width) {
        rows_h += line_h;
      } else {
        rows_h += ImGui::CalcTextSize(whole(text).c_str()).y + ImGui::GetStyle().ItemSpacing.y;
      }
    }
    const float shown = ImGui::GetContentRegionAvail().y - ImGui::GetStyle().WindowPadding.y * 2;
    const float end = static_cast<float>(first) * line_h + rows_h;
    const float anchor = std::min(std::max(shown * 0.6f, rows_h), shown - line_h);
    // Never past the top of the playhead's line: where the instant needs more rows than the
    // panel has, its earlier lines go above the view, not the line the playhead is on.
    const float current_top = static_cast<float>(first) * line_h + above_current.value_or(0.0f);
    ImGui::SetNextWindowScroll(ImVec2(-1.0f, std::max(0.0f, std::min(end - anchor, current_top))));
    panel.followed = at;
    panel.taller = rows_h - static_cast<float>(static_cast<std::size_t>(at) - first + 1) * line_h;
  } else if (at != panel.followed && at < 0) {
    ImGui::SetNextWindowScroll(ImVec2(-1.0f, 0.0f));  // before the first line: the list's top
    panel.followed = at;
    panel.taller = 0;
  }
  // In the frame the lines change, the list's height is told, not measured from the frame
  // before: ImGui keeps a scroll within the room the list took then, so a list that grew
  // (measured runs' lines merged in) scrolled no further than the shorter list's end, and the
  // playhead's line was out of view. The height the clipper leaves: a row a line (the last
  // one's spacing not counted), or the rows the playhead's lines take more, after them.
  if (rebuilt && panel.narrative.size() > 0) {
    const float rows = static_cast<float>(panel.narrative.size()) * line_h;
    ImGui::SetNextWindowContentSize(
        ImVec2(0.0f, panel.taller > 0 ? rows + panel.taller : rows - ImGui::GetStyle().ItemSpacing.y));
  }
  ImGui::BeginChild("##story", ImVec2(0, 0), true, ImGuiWindowFlags_AlwaysVerticalScrollbar);
  panel.lines_shown = (ImGui::GetWindowHeight() - ImGui::GetStyle().WindowPadding.y * 2) / line_h;
  panel.text_width = ImGui::GetContentRegionAvail().x;
  panel.after_playhead_y = 0;
  panel.playhead_line_y = 0;
  panel.list_top = ImGui::GetWindowPos().y;
  panel.list_bottom = panel.list_top + ImGui::GetWindowHeight();
  bool current_seen = false;
  float taller = 0;  // how much taller the wrapped lines at the playhead are than one row each
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(panel.narrative.size()), line_h);
  if (at >= 0) {
    // The instant's lines are drawn whole even where the scroll leaves the first ones above
    // the view: the scroll counted them so (in a short panel, lesson 17's three lines at 53.45
    // ms took 5 rows and, skipped by the clipper, one each, which scrolled the playhead's line
    // out of view). The lines after them come lower than the clipper counts: a panel's worth.
    const auto last = std::min(panel.narrative.size(), static_cast<std::size_t>(at) + 2 +
                                                           static_cast<std::size_t>(std::max(0.0f, panel.lines_shown)));
    clipper.ForceDisplayRangeByIndices(static_cast<int>(first), static_cast<int>(last));
  }
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const NarrativeLine& line = panel.narrative.line(static_cast<std::size_t>(i));
      const std::string text = line_text(static_cast<std::size_t>(i));
      ImGui::PushID(i);
      // The playhead's line and, at a hand-off, its why row are highlighted together.
      const bool current_line = at >= 0 && panel.narrative.line(static_cast<std::size_t>(at)).mark == line.mark &&
                                panel.narrative.line(static_cast<std::size_t>(at)).run == line.run;
      if (current_line) ImGui::PushStyleColor(ImGuiCol_Header, ImVec4(1.0f, 0.85f, 0.35f, 1.0f));
      if (current_line && !current_seen) panel.playhead_line_y = ImGui::GetCursorScreenPos().y;
      current_seen = current_seen || current_line;
      if (at_playhead(static_cast<std::size_t>(i)) && text_width(text) > ImGui::GetContentRegionAvail().x) {
        const float before = ImGui::GetCursorPosY();
        if (ImGui::Selectable(whole(text).c_str(), current_line)) seek = line.at;
        taller += ImGui::GetCursorPosY() - before - line_h;
      } else if (fitted_selectable(text, current_line)) {
        seek = line.at;
      }
      if (current_line) ImGui::PopStyleColor();
      ImGui::PopID();
      if (i == at) panel.after_playhead_y = ImGui::GetCursorScreenPos().y;
    }
  }
  if (taller > 0) ImGui::Dummy(ImVec2(1, taller));  // the clipper counts one row a line
  panel.taller = taller;
  if (panel.narrative.size() == 0) ImGui::TextDisabled("No events.");
  ImGui::EndChild();
  return seek;
}

}  // namespace gilsim::viz::ui

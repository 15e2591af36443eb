// Numbers per run: a bar chart of makespans (shorter is better) and a table.
#include <algorithm>

#include <fmt/format.h>

#include "viz/ui/panels.hpp"
#include "viz/ui/theme.hpp"

namespace gilsim::viz::ui {

void draw_numbers(AppState& app) {
  const auto& runs = app.session.runs();
  if (runs.empty()) return;
  const Time baseline = runs.front().end;
  Time longest = Time{1};
  for (const auto& r : runs) longest = max(longest, r.end);

  // Bar chart: one bar per run, its length the makespan.
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float name_w = ImGui::GetFontSize() * 8;
  const float bar_h = ImGui::GetTextLineHeight();
  for (std::uint32_t r = 0; r < runs.size(); ++r) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float avail = std::max(10.0f, ImGui::GetContentRegionAvail().x - name_w - ImGui::GetFontSize() * 5);
    ImGui::TextUnformatted(runs[r].run_name.c_str());
    const float w = avail * static_cast<float>(runs[r].end.ns()) / static_cast<float>(longest.ns());
    dl->AddRectFilled(ImVec2(p.x + name_w, p.y + 2), ImVec2(p.x + name_w + w, p.y + bar_h - 1), IM_COL32(0, 114, 178, 255));
    const std::string label = format_time(runs[r].end);
    dl->AddText(ImVec2(p.x + name_w + w + 6, p.y), IM_COL32(0, 0, 0, 255), label.c_str());
  }
  ImGui::Spacing();
  const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit;
  if (ImGui::BeginTable("##numbers", 3, flags)) {
    ImGui::TableSetupColumn("run");
    ImGui::TableSetupColumn("makespan");
    ImGui::TableSetupColumn("speedup");
    ImGui::TableHeadersRow();
    for (const auto& run : runs) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(run.run_name.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(format_time(run.end).c_str());
      ImGui::TableNextColumn();
      const double speedup = run.end.ns() > 0 ? static_cast<double>(baseline.ns()) / static_cast<double>(run.end.ns()) : 0;
      ImGui::Text("%.2fx", speedup);
    }
    ImGui::EndTable();
  }
  ImGui::TextDisabled("speedup: against %s", runs.front().run_name.c_str());
}

}  // namespace gilsim::viz::ui

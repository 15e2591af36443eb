// Style and fonts.
#include "viz/ui/theme.hpp"

#include <string>

#include <imgui_internal.h>

#include "viz/asset_files.hpp"
#include "viz/text_layout.hpp"
#include "viz/ui/fonts.hpp"

namespace gilsim::viz::ui {

namespace {

ImFont* g_bold = nullptr;

}  // namespace

std::string find_font(const char* file) {
  return find_asset(std::string("fonts/") + file, {kSystemFontFolder}).string();
}

ImFont* bold_font() { return g_bold ? g_bold : ImGui::GetFont(); }

float text_width(std::string_view text) { return ImGui::CalcTextSize(text.data(), text.data() + text.size()).x; }

void text_disabled_wrapped(std::string_view text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(text.data(), text.data() + text.size());
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
}

float items_right_edge() { return ImGui::GetCurrentWindowRead()->WorkRect.Max.x; }

bool fits_on_line(float width, float spacing, float right_edge) {
  const ImGuiWindow* window = ImGui::GetCurrentWindowRead();
  // Where SameLine would put the next item: after the last one, `spacing` right of it.
  const float x = window->DC.CursorPosPrevLine.x + (spacing < 0 ? ImGui::GetStyle().ItemSpacing.x : spacing);
  return x + width <= (right_edge < 0 ? items_right_edge() : right_edge);
}

void same_line_or_wrap(float width, float spacing, float right_edge) {
  if (fits_on_line(width, spacing, right_edge)) ImGui::SameLine(0, spacing);
}

float add_elided_text(ImDrawList* dl, ImFont* font, float size, ImVec2 at, ImU32 colour, std::string_view text,
                      const ImVec4& clip, bool letter_or_nothing) {
  const auto measure = [&](std::string_view t) { return font->CalcTextSizeA(size, 1e9f, 0, t.data(), t.data() + t.size()).x; };
  // Half a pixel of slack: a room measured as the text's own width ((at + w) - at) can come
  // out a rounding error narrower, and cut "main" to "m…".
  const float room = clip.z - at.x + 0.5f;
  const std::string shown = elide(text, room, measure);
  if (letter_or_nothing && (shown == "\u2026" || measure(shown) > room)) return 0.0f;
  dl->AddText(font, size, at, colour, shown.c_str(), nullptr, 0.0f, &clip);
  return measure(shown);
}

bool fitted_selectable(const std::string& text, bool selected) {
  const std::string shown = elide(text, ImGui::GetContentRegionAvail().x, text_width);
  ImGui::PushID(text.c_str());
  const bool clicked = ImGui::Selectable(shown.c_str(), selected);
  ImGui::PopID();
  if (shown != text && ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 35);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
  return clicked;
}

void apply_theme(float scale, const std::vector<ImWchar>& extra) {
  g_bold = build_fonts(kBaseFontPx * scale, extra);

  ImGuiStyle& style = ImGui::GetStyle();
  style = ImGuiStyle();
  ImGui::StyleColorsLight(&style);
  style.WindowRounding = 0;
  style.FrameRounding = 3;
  style.GrabRounding = 3;
  style.WindowBorderSize = 1;
  style.FramePadding = ImVec2(6, 4);
  style.ItemSpacing = ImVec2(8, 5);
  style.ScrollbarSize = 16;
  style.Colors[ImGuiCol_WindowBg] = ImVec4(0.97f, 0.97f, 0.97f, 1.0f);
  style.Colors[ImGuiCol_ChildBg] = ImVec4(1, 1, 1, 1);
  style.Colors[ImGuiCol_Text] = ImVec4(0.05f, 0.05f, 0.05f, 1.0f);
  // Secondary text ("idle", "of 910 ms", the captions): ImGui's #999999 is 2.7:1 on the window,
  // lost on a projector; this grey is 5:1 and still reads as secondary beside the black.
  style.Colors[ImGuiCol_TextDisabled] = ImVec4(0.42f, 0.42f, 0.42f, 1.0f);
  style.Colors[ImGuiCol_TitleBgActive] = style.Colors[ImGuiCol_TitleBg];
  style.ScaleAllSizes(scale);
}

}  // namespace gilsim::viz::ui

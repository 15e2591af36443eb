// The look of the viewer: a light theme (projectors wash out dark ones), DejaVu Sans at a
// readable size, everything scaled by the UI scale (1x to 3x for a classroom).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <imgui.h>

#include "viz/palette.hpp"

namespace gilsim::viz::ui {

inline ImU32 to_u32(Rgba c, float alpha = 1.0f) {
  return IM_COL32(c.r, c.g, c.b, static_cast<int>(static_cast<float>(c.a) * alpha));
}

/// Resets the style and rebuilds the font atlas for `scale`, with glyphs for the `extra` code
/// points (fonts.hpp: extra_code_points). The platform must upload the atlas texture again
/// afterwards (ImGui_ImplOpenGL2_CreateFontsTexture).
void apply_theme(float scale, const std::vector<ImWchar>& extra = {});

/// The bold face for headers, or the default font when no bold face was found.
ImFont* bold_font();

/// Where Debian's fonts-dejavu-core puts DejaVu Sans: the font when assets/fonts/ has none.
inline constexpr const char* kSystemFontFolder = "/usr/share/fonts/truetype/dejavu";

/// The font file apply_theme loads ("DejaVuSans.ttf"): assets/fonts/ (installed, then the
/// source tree's), then kSystemFontFolder; empty when none has it (ImGui's built-in font).
std::string find_font(const char* file);

/// Text in the disabled colour, wrapped to the window's width (a note never cut off).
void text_disabled_wrapped(std::string_view text);

/// The screen x an item of the current window must end before not to be cut: its work
/// area's right edge. (GetWindowContentRegionMax is last frame's content in a window that
/// sizes itself, the toolbar: the legend wrapped at 1022 px there in a 1014 px wide area.)
float items_right_edge();

/// SameLine, or a new line where an item `width` wide would run past the window's edge (or
/// `right_edge`, when given). Decided before moving the cursor: a SameLine taken back by a
/// NewLine would count the line as reaching where the item would have started.
void same_line_or_wrap(float width, float spacing = -1.0f, float right_edge = -1.0f);
/// Whether an item `width` wide fits on the line after the last one (as same_line_or_wrap decides).
bool fits_on_line(float width, float spacing = -1.0f, float right_edge = -1.0f);

/// `text` as a Selectable that fits the width left: shortened with "…" when it has no
/// room, the whole of it then in a tooltip. Returns true when clicked.
bool fitted_selectable(const std::string& text, bool selected);

/// `text` drawn `size` high from `at`, cut with "…" (text_layout's elide) to end by `clip`'s
/// right: a label with no room says that it goes on, not stops mid-word ("threads (measured",
/// "hand" in a bar). `clip` cuts it above and below (a low row). With `letter_or_nothing`,
/// nothing is drawn where not even one letter and "…" fit. Returns the width drawn.
float add_elided_text(ImDrawList* dl, ImFont* font, float size, ImVec2 at, ImU32 colour, std::string_view text,
                      const ImVec4& clip, bool letter_or_nothing = false);

/// Width measured with the current font, for the text_layout functions.
float text_width(std::string_view text);

/// Base text size in pixels at scale 1.
inline constexpr float kBaseFontPx = 17.0f;

}  // namespace gilsim::viz::ui

// The font atlas: DejaVu Sans for the viewer's own words and the Latin, Greek and Cyrillic
// names a scenario gives, a fallback font merged in for the characters DejaVu lacks (Chinese,
// Japanese, Korean names), built for the characters the session shows and built again when
// the UI scale changes or a scenario shows characters the atlas was not built with.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <imgui.h>

namespace gilsim::viz {
struct AppState;
}

namespace gilsim::viz::ui {

/// The code points of UTF-8 `text` outside the ranges every atlas holds (the viewer's own
/// words: Latin-1, dashes, arrows, shapes), sorted and unique; none past U+FFFF (ImGui draws
/// those as one replacement glyph).
std::vector<ImWchar> extra_code_points(std::string_view text);

/// Rebuilds the atlas at `px` pixels for the base ranges and `extra` code points; returns the
/// bold face, or nullptr without one. The platform uploads the texture again afterwards.
ImFont* build_fonts(float px, const std::vector<ImWchar>& extra);

/// The text of the session that its users wrote and the viewer draws, where not ASCII: the
/// scenario's title, note and file name, and its runs' names and their lanes', processes',
/// jobs' and counters' names.
std::string text_shown(const AppState& app);

/// The atlas a window (or a test's headless viewer) draws with, and what it was built for.
class Fonts {
 public:
  /// Builds the atlas and the style at `scale` (apply_theme) for the viewer's own words.
  explicit Fonts(float scale);
  /// Builds them again where app.ui_scale differs from the scale built, or text_shown has
  /// characters the atlas was not built with (read only when the session's runs change);
  /// true when it did: the platform uploads the texture again.
  bool refresh(const AppState& app);

 private:
  float scale_;
  std::vector<ImWchar> extra_;  ///< the code points built beyond the base ranges
  std::uint64_t read_generation_ = ~std::uint64_t{0};
};

/// Where Debian's fonts-droid-fallback puts its font of Chinese, Japanese and Korean glyphs.
inline constexpr const char* kFallbackFontFolder = "/usr/share/fonts/truetype/droid";
/// The font merged in for the glyphs DejaVu Sans lacks: assets/fonts/DroidSansFallbackFull.ttf,
/// then kFallbackFontFolder's; empty when neither has it (those characters draw as "?").
std::string find_fallback_font();

}  // namespace gilsim::viz::ui

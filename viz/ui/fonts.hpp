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

/// The atlas a window (or a test's headless viewer) draws with, and what it was built for.
class Fonts {
 public:
  /// Builds the atlas and the style at `scale` (apply_theme) for the viewer's own words.
  explicit Fonts(float scale);
  /// The largest texture the renderer takes (GL_MAX_TEXTURE_SIZE); 8192 until told.
  void set_max_texture_size(int pixels);
  /// Builds them again where app.ui_scale differs from the scale built, or the characters the
  /// session shows differ from those built for: the text its users wrote, where not ASCII (the
  /// scenario's title, note and file name, its runs', lanes', processes', jobs' and counters'
  /// names, read when the runs change; the toolbar's message, the sweep panel's keys, the Open
  /// box and a load error, read every frame); true when it did: the platform uploads the
  /// texture again. An atlas larger than the largest texture is built again without the
  /// note's characters, then without any beyond the viewer's own. While the scale slider is
  /// dragged (app.ui_scale_held), a new scale stretches the atlas built (io.FontGlobalScale)
  /// and builds nothing.
  bool refresh(const AppState& app);
  /// How many code points beyond the base ranges the atlas holds.
  std::size_t built() const { return built_; }

 private:
  inline static const std::vector<ImWchar> kNoCodePoints;
  float scale_;
  int max_texture_ = 8192;
  std::uint64_t read_generation_ = ~std::uint64_t{0};
  std::vector<ImWchar> runs_points_, note_points_;  ///< of the runs read last
  std::vector<ImWchar> names_, note_;               ///< what the atlas was last asked for
  std::size_t built_ = 0;
  bool note_too_big_ = false;  ///< the note's characters did not fit at scale_
};

/// Where Debian's fonts-droid-fallback puts its font of Chinese, Japanese and Korean glyphs.
inline constexpr const char* kFallbackFontFolder = "/usr/share/fonts/truetype/droid";
/// The font merged in for the glyphs DejaVu Sans lacks: assets/fonts/DroidSansFallbackFull.ttf,
/// then kFallbackFontFolder's; empty when neither has it (those characters draw as "?").
std::string find_fallback_font();

}  // namespace gilsim::viz::ui

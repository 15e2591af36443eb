// The font atlas holds the characters a scenario's names are written in: Greek from DejaVu
// Sans, Chinese from the fallback font merged in (a class naming its jobs 下载 saw "??").
#include <fstream>

#include <doctest/doctest.h>
#include <imgui.h>

#include "tests/temp_folder.hpp"
#include "tests/viz/headless_viewer.hpp"
#include "viz/ui/fonts.hpp"
#include "viz/ui/theme.hpp"

using gilsim::testing::TempFolder;
using gilsim::viz::testing::HeadlessViewer;
namespace ui = gilsim::viz::ui;

TEST_CASE("extra_code_points: what the viewer's own words leave out, sorted, once each") {
  CHECK(ui::extra_code_points("caf\u00e9 \u00fcn\u00ef \u2192 done").empty());  // Latin-1 and arrows: every atlas has them
  CHECK(ui::extra_code_points("\u0151 \u03a9mega \u03a9") == std::vector<ImWchar>{0x0151, 0x03A9});
  CHECK(ui::extra_code_points("\u4e0b\u8f7d 1") == std::vector<ImWchar>{0x4E0B, 0x8F7D});
  // Past U+FFFF and broken UTF-8 alike: the one replacement glyph ImGui draws for them.
  CHECK(ui::extra_code_points("\xF0\x9F\x98\x80 \xC3") == std::vector<ImWchar>{0xFFFD});
  CHECK(ui::extra_code_points("tab\tnew line\n").empty());
}

namespace {

bool has_glyph(ImFont* font, ImWchar c) { return font->FindGlyphNoFallback(c) != nullptr; }

}  // namespace

TEST_CASE("a scenario's Greek and Chinese names get glyphs, in the regular and the bold face") {
  REQUIRE_MESSAGE(!ui::find_font("DejaVuSans.ttf").empty(), "DejaVu Sans is missing: scripts/install-deps.sh installs it");
  TempFolder folder("gilsim_fonts");
  const auto file = folder.path() / "names.toml";
  std::ofstream(file) << "title = \"\u03a9 lesson\"\n[machine]\ncores = 2\n"
                         "[[job]]\nname = \"\u4e0b\u8f7d\"\nsteps = [ { cpu = \"10ms\" } ]\n"
                         "[[run]]\nname = \"\u00e9t\u00e9 \u0151\"\nexecutor = \"threads\"\n";
  HeadlessViewer v;
  ImFont* regular = ImGui::GetIO().Fonts->Fonts[0];
  CHECK(!has_glyph(regular, 0x4E0B));  // the viewer's own words alone need none
  REQUIRE(v.open(file));
  regular = ImGui::GetIO().Fonts->Fonts[0];
  CHECK(has_glyph(regular, 0x03A9));  // the title's Omega, from DejaVu Sans
  CHECK(has_glyph(regular, 0x0151));  // the run's o with double acute
  CHECK_MESSAGE(has_glyph(regular, 0x4E0B), "no glyph for the job's Chinese name: is fonts-droid-fallback installed?");
  CHECK(has_glyph(regular, 0x8F7D));
  CHECK(has_glyph(ui::bold_font(), 0x4E0B));  // the run headers' face
  CHECK(!has_glyph(regular, 0x4E0A));          // only what the session shows: the atlas stays small

  // Another scenario's atlas holds its characters, not the last one's: a session of many
  // scenarios does not pile them up.
  std::ofstream(file) << "title = \"\u0416\"\n[[job]]\nname = \"a\"\nsteps = [ { cpu = \"1ms\" } ]\n"
                         "[[run]]\nname = \"r\"\nexecutor = \"threads\"\n";
  REQUIRE(v.open(file));
  regular = ImGui::GetIO().Fonts->Fonts[0];
  CHECK(has_glyph(regular, 0x0416));
  CHECK(!has_glyph(regular, 0x4E0B));
  // A file that does not load is named in its error, read every frame: its path in Chinese too.
  CHECK(!v.app.session.open(folder.path() / "\u574f.toml"));  // 坏.toml, not there
  v.frame();
  CHECK(has_glyph(ImGui::GetIO().Fonts->Fonts[0], 0x574F));
  // The sweep panel's keys are the user's words too, read every frame.
  v.app.sweep.vary = "\u5de5\u4eba: workers=1..4";  // 工人
  v.frame();
  CHECK(has_glyph(ImGui::GetIO().Fonts->Fonts[0], 0x5DE5));
}

TEST_CASE("an atlas too tall for the GPU's largest texture is built without the note's characters") {
  TempFolder folder("gilsim_fonts");
  const auto file = folder.path() / "long_note.toml";
  std::string note;
  for (char32_t c = 0x4E00; c < 0x4E00 + 3000; ++c) {  // 3,000 distinct ideographs, 3 bytes each
    note += static_cast<char>(0xE0 | (c >> 12));
    note += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    note += static_cast<char>(0x80 | (c & 0x3F));
  }
  std::ofstream(file) << "title = \"t\"\nnote = \"" << note << "\"\n[[job]]\nname = \"\u8f7d\"\n"
                         "steps = [ { cpu = \"1ms\" } ]\n[[run]]\nname = \"r\"\nexecutor = \"threads\"\n";
  {
    HeadlessViewer v;
    v.fonts->set_max_texture_size(1024);
    REQUIRE(v.open(file));
    ImFont* regular = ImGui::GetIO().Fonts->Fonts[0];
    CHECK(ImGui::GetIO().Fonts->TexHeight <= 1024);
    CHECK(has_glyph(regular, 0x8F7D));   // the job's name: rows need it
    CHECK(!has_glyph(regular, 0x4E01));  // the note's, left out
    CHECK(v.fonts->built() == 1);
  }
  // Where the texture may be as tall as the note needs, it is whole (one viewer at a time:
  // each has its ImGui context).
  HeadlessViewer roomy;
  roomy.fonts->set_max_texture_size(1 << 15);
  REQUIRE(roomy.open(file));
  CHECK(has_glyph(ImGui::GetIO().Fonts->Fonts[0], 0x4E01));
  CHECK(roomy.fonts->built() > 3000);
}

TEST_CASE("dragging the scale slider stretches the atlas built; letting it go builds one for the scale") {
  // A build a frame cost 0.25 s with a note of thousands of Chinese characters.
  HeadlessViewer v;
  REQUIRE(v.open(std::string(GILSIM_SOURCE_DIR) + "/scenarios/01-cpu-bound.toml"));
  const float built_size = ImGui::GetIO().Fonts->Fonts[0]->FontSize;
  v.app.ui_scale_held = true;
  v.app.ui_scale = 2.0f;
  CHECK_FALSE(v.fonts->refresh(v.app));
  CHECK(ImGui::GetIO().FontGlobalScale == doctest::Approx(2.0));
  CHECK(ImGui::GetIO().Fonts->Fonts[0]->FontSize == built_size);
  v.app.ui_scale_held = false;
  CHECK(v.fonts->refresh(v.app));
  CHECK(ImGui::GetIO().FontGlobalScale == 1.0f);
  CHECK(ImGui::GetIO().Fonts->Fonts[0]->FontSize == doctest::Approx(2 * built_size).epsilon(0.05));
  CHECK_FALSE(v.fonts->refresh(v.app));
}

// The toolbar, the legend and the help as a class sees them: controls that stay put while
// the time and the speed change, a timeline PNG whose legend is whole, an opaque help.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include <imgui_internal.h>

#include "headless_viewer.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::viz;
using gilsim::viz::testing::HeadlessViewer;

namespace {

ImGuiWindow* window_starting(const std::string& prefix) {
  for (ImGuiWindow* w : ImGui::GetCurrentContext()->Windows) {
    if (w->WasActive && std::string(w->Name).rfind(prefix, 0) == 0) return w;
  }
  return nullptr;
}

/// Moves the playhead to `at` and lets two frames pass.
void seek_and_settle(HeadlessViewer& v, Time at) {
  v.app.playback.seek(at);
  v.frame();
  v.frame();
}

}  // namespace

TEST_CASE("the toolbar's groups keep their widths as the playhead's time and the speed change") {
  HeadlessViewer v(ImVec2(1280, 720));
  REQUIRE(v.open(testing::bundled_lesson("07-convoy.toml")));
  const auto at_rest = v.app.toolbar_widths;
  // "0 s" then "523.457 ms": the time sits in a box as wide as the widest time.
  seek_and_settle(v, Time{523'456'789});
  CHECK(v.app.toolbar_widths == at_rest);
  // "10.0 us / s" to "1.00 s / s": the value sits beside the slider, in a box of its own.
  for (const double speed : {1e-5, 3.3e-3, 1.0}) {
    v.app.playback.set_speed(speed);
    v.frame();
    v.frame();
    CHECK(v.app.toolbar_widths == at_rest);
  }
  // Zoomed in to a few nanoseconds a pixel, the time has its nanoseconds, and the box holds
  // them as the time changes: "523.456789 ms", then "1.000000001 s" and "2.5 us" stay in it.
  v.app.view.fit(Time{523'456'000}, Time{523'460'000});
  v.frame();
  v.frame();
  CHECK(format_time_to(v.app.playback.now(), shown_resolution(v.app.view)) == "523.456789 ms");
  const auto zoomed = v.app.toolbar_widths;
  for (const Time at : {Time{1'000'000'001}, Time{2'500}, Time{523'456'789}}) {
    seek_and_settle(v, at);
    CHECK(v.app.toolbar_widths == zoomed);
  }
}

TEST_CASE("a run of 1250 s keeps the toolbar's time in its box, grouped as the axis writes it") {
  // Lesson 03's thread pool: "1,000.00015 s" overran the box sized on "888.889 ms".
  HeadlessViewer v(ImVec2(1280, 720));
  REQUIRE(v.open(testing::bundled_lesson("03-ten-thousand-connections.toml")));
  v.app.view.fit(Time{1'000'000'000'000}, Time{1'000'001'000'000});  // 1 ms across: 1 us a pixel or less
  seek_and_settle(v, Time{1'000'000'150'000});
  CHECK(format_time_to(v.app.playback.now(), shown_resolution(v.app.view)) == "1,000.00015 s");
  const auto widths = v.app.toolbar_widths;
  for (const Time at : {Time{1'249'999'999'999}, Time{5'000}, Time{1'000'000'150'000}}) {
    seek_and_settle(v, at);
    CHECK(v.app.toolbar_widths == widths);
  }
}

TEST_CASE("stepping across a forced switch, the playhead and the story tell its instants apart") {
  // Lesson 07 at the whole run's zoom (about 0.6 ms a pixel): the switch at 250.231 ms and the
  // take at 250.462 ms read "250 ms" both, in the toolbar, the playhead panel and the story.
  HeadlessViewer v(ImVec2(1600, 1000));
  REQUIRE(v.open(testing::bundled_lesson("07-convoy.toml")));
  CHECK(shown_resolution(v.app.view) == Time{1'000});
  CHECK(format_time_to(Time{250'231'000}, shown_resolution(v.app.view)) == "250.231 ms");
  CHECK(format_time_to(Time{250'462'000}, shown_resolution(v.app.view)) == "250.462 ms");
  // Zoomed in, a pixel's step: 4 us across 1,000 pixels is 4 ns a pixel.
  v.app.view.fit(Time{250'460'000}, Time{250'464'000});
  CHECK(shown_resolution(v.app.view) < Time{10});
}

TEST_CASE("a timeline PNG's legend wraps at the timeline's width, so the crop holds all of it") {
  HeadlessViewer v(ImVec2(1600, 900));
  REQUIRE(v.open(testing::bundled_lesson("07-convoy.toml")));
  const auto right_of_legend = [&] {
    const ImGuiWindow* toolbar = window_starting("##toolbar");
    REQUIRE(toolbar);
    // What the legend drew: below its top, inside the window's border.
    const float bottom = toolbar->Pos.y + toolbar->Size.y - 2, edge = toolbar->Pos.x + toolbar->Size.x - 2;
    float right = 0;
    for (const ImDrawVert& vert : toolbar->DrawList->VtxBuffer) {
      if (vert.pos.y > v.app.legend_top + 1 && vert.pos.y < bottom && vert.pos.x < edge) right = std::max(right, vert.pos.x);
    }
    return right;
  };
  const float png_right = v.app.timeline_png_rect[0] + v.app.timeline_png_rect[2];
  CHECK(png_right < 1300);  // the side panel takes the rest
  CHECK(right_of_legend() > png_right);  // on screen the legend uses the whole width
  v.app.legend_fits_timeline = true;
  v.frame();
  v.frame();
  CHECK(right_of_legend() <= v.app.timeline_png_rect[0] + v.app.timeline_png_rect[2] + 1);
  // Save PNG asks for the same layout on the frame it is taken from.
  v.app.legend_fits_timeline = false;
  v.app.screenshot = ScreenshotRequest{"unused.png", true};
  v.frame();
  CHECK(right_of_legend() <= v.app.timeline_png_rect[0] + v.app.timeline_png_rect[2] + 1);
}

TEST_CASE("the help overlay is opaque over the lanes") {
  HeadlessViewer v(ImVec2(1280, 720));
  REQUIRE(v.open(testing::bundled_lesson("07-convoy.toml")));
  v.press(ui::kKeyF1);
  REQUIRE(v.app.show_help);
  const ImGuiWindow* help = window_starting("Keys and mouse");
  REQUIRE(help);
  REQUIRE(help->DrawList->VtxBuffer.Size > 0);
  // The window's background is the first thing it draws.
  CHECK(((help->DrawList->VtxBuffer[0].col >> IM_COL32_A_SHIFT) & 0xFF) == 255);
  v.press(ui::kKeyEscape);
  CHECK_FALSE(v.app.show_help);
}

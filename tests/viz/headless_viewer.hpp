// Whole viewer frames without a window: ImGui with the viewer's fonts and a display size,
// draw lists built but never rasterised, as a renderer that honours vertex offsets sees them.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <doctest/doctest.h>
#include <imgui.h>

#include "sim/scenario/loader.hpp"
#include "viz/app_state.hpp"
#include "viz/ui/app_frame.hpp"
#include "viz/ui/fonts.hpp"
#include "viz/ui/keys.hpp"

namespace gilsim::viz::testing {

/// A bundled lesson's file by its name ("07-convoy.toml"); empty when there is none.
inline std::filesystem::path bundled_lesson(const std::string& name) {
  for (const auto& f : scenario::bundled_scenarios()) {
    if (f.filename() == name) return f;
  }
  return {};
}

struct HeadlessViewer {
  AppState app;
  std::optional<ui::Fonts> fonts;  ///< made once the context is

  explicit HeadlessViewer(ImVec2 size = ImVec2(1600, 900)) {
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = size;
    io.BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset;  // as gl_renderer does
    ui::map_imgui_keys(io);
    fonts.emplace(1.0f);
  }
  ~HeadlessViewer() { ImGui::DestroyContext(); }
  HeadlessViewer(const HeadlessViewer&) = delete;
  HeadlessViewer& operator=(const HeadlessViewer&) = delete;

  /// One frame; fonts follow the UI scale and the text shown as the window's loop makes them.
  /// Returns the vertices.
  int frame(double dt = 1.0 / 60.0) {
    fonts->refresh(app);
    ImGui::GetIO().DeltaTime = static_cast<float>(dt > 0 ? dt : 1e-4);
    ImGui::NewFrame();
    ui::draw_frame(app, dt);
    ImGui::Render();
    return ImGui::GetDrawData()->TotalVtxCount;
  }

  /// Opens `file` (the default scenario without one) and draws four frames, as a screenshot
  /// does: the toolbar's groups wrap on widths measured the frame before, so it settles then.
  bool open(const std::filesystem::path& file = {}) {
    if (!app.session.open(file)) return false;
    refresh_derived(app);
    for (int i = 0; i < 4; ++i) frame();
    return true;
  }

  /// A left click at `at` (screen pixels), pressed and released over three frames.
  void click(ImVec2 at) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = at;
    frame();
    io.MouseDown[0] = true;
    frame();
    io.MouseDown[0] = false;
    frame();
  }

  void press(ui::Key key) {
    ImGui::GetIO().KeysDown[key] = true;
    frame();
    ImGui::GetIO().KeysDown[key] = false;
    frame();
  }

  /// Opens `file` as a teacher presents it: presentation mode, every run fitted, the scale
  /// chosen for the window.
  void present(const std::filesystem::path& file) {
    REQUIRE(app.session.open(file));
    refresh_derived(app);
    app.presentation = true;
    app.fit_runs = true;
    app.auto_presentation_scale = true;
    for (int i = 0; i < 4; ++i) frame(0);
  }
};

}  // namespace gilsim::viz::testing

// Our small SFML -> Dear ImGui platform layer: window events become ImGuiIO input (keys,
// text, mouse, wheel), plus the clipboard and the mouse cursor. Rendering is left to ImGui's
// own OpenGL2 backend.
#pragma once

#include <array>
#include <memory>

#include <SFML/Graphics/RenderWindow.hpp>
#include <SFML/Window/Cursor.hpp>
#include <SFML/Window/Event.hpp>
#include <imgui.h>

namespace gilsim::viz::platform {

class SfmlImGui {
 public:
  /// Call after ImGui::CreateContext().
  explicit SfmlImGui(sf::RenderWindow& window);
  void process_event(const sf::Event& event);
  /// Sets the display size and delta time, and shows the cursor ImGui asked for last frame.
  void new_frame(float seconds);
  /// Call after ImGui::Render(): a button pressed and released between two frames is held
  /// down for one frame, so the click registers, and released here.
  void end_frame();

 private:
  sf::RenderWindow& window_;
  std::array<std::unique_ptr<sf::Cursor>, ImGuiMouseCursor_COUNT> cursors_;
  ImGuiMouseCursor shown_cursor_ = ImGuiMouseCursor_COUNT;
  bool pressed_since_frame_[3] = {false, false, false};
  bool release_after_frame_[3] = {false, false, false};
};

}  // namespace gilsim::viz::platform

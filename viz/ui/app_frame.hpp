// One frame of the viewer: advance time, handle keys, lay out and draw every panel.
// Called between ImGui::NewFrame() and ImGui::Render(); knows nothing of the window.
#pragma once

#include "viz/app_state.hpp"

namespace gilsim::viz::ui {

/// `wall_seconds`: time since the previous frame, which drives playback and animation.
void draw_frame(AppState& app, double wall_seconds);

}  // namespace gilsim::viz::ui

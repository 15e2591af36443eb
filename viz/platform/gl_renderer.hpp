// Draws ImGui's draw data with OpenGL 2 and honours ImDrawCmd::VtxOffset, so a window's draw
// list may hold any number of vertices with Debian's 16-bit indices: a dense timeline is
// drawn whole instead of being cut at 65,536 vertices. The font texture still comes from
// ImGui's OpenGL2 backend (ImGui_ImplOpenGL2_CreateFontsTexture).
#pragma once

#include <imgui.h>

namespace gilsim::viz::platform {

/// Tells ImGui that draw lists may grow past 64k vertices (sets RendererHasVtxOffset).
void enable_large_draw_lists();

/// Renders a frame's draw data into the current OpenGL context's viewport.
void render_draw_data(const ImDrawData* data);

}  // namespace gilsim::viz::platform

// OpenGL 2 fixed-function rendering of ImGui draw data, with vertex offsets; see gl_renderer.hpp.
#include "viz/platform/gl_renderer.hpp"

#include <cstddef>
#include <cstdint>

#include <SFML/OpenGL.hpp>

namespace gilsim::viz::platform {

void enable_large_draw_lists() { ImGui::GetIO().BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset; }

namespace {

/// Blending, scissor and an orthographic projection in ImGui's display coordinates.
void set_up_state(const ImDrawData* data, int fb_width, int fb_height) {
  glEnable(GL_BLEND);
  glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
  glDisable(GL_CULL_FACE);
  glDisable(GL_DEPTH_TEST);
  glDisable(GL_LIGHTING);
  glDisable(GL_COLOR_MATERIAL);
  glEnable(GL_SCISSOR_TEST);
  glEnableClientState(GL_VERTEX_ARRAY);
  glEnableClientState(GL_TEXTURE_COORD_ARRAY);
  glEnableClientState(GL_COLOR_ARRAY);
  glDisableClientState(GL_NORMAL_ARRAY);
  glEnable(GL_TEXTURE_2D);
  glPolygonMode(GL_FRONT_AND_BACK, GL_FILL);
  glShadeModel(GL_SMOOTH);
  glTexEnvi(GL_TEXTURE_ENV, GL_TEXTURE_ENV_MODE, GL_MODULATE);
  glViewport(0, 0, fb_width, fb_height);
  glMatrixMode(GL_PROJECTION);
  glPushMatrix();
  glLoadIdentity();
  const double left = data->DisplayPos.x, right = data->DisplayPos.x + data->DisplaySize.x;
  const double top = data->DisplayPos.y, bottom = data->DisplayPos.y + data->DisplaySize.y;
  glOrtho(left, right, bottom, top, -1.0, 1.0);
  glMatrixMode(GL_MODELVIEW);
  glPushMatrix();
  glLoadIdentity();
}

}  // namespace

void render_draw_data(const ImDrawData* data) {
  const int fb_width = static_cast<int>(data->DisplaySize.x * data->FramebufferScale.x);
  const int fb_height = static_cast<int>(data->DisplaySize.y * data->FramebufferScale.y);
  if (fb_width <= 0 || fb_height <= 0) return;
  glPushAttrib(GL_ENABLE_BIT | GL_COLOR_BUFFER_BIT | GL_TRANSFORM_BIT | GL_POLYGON_BIT | GL_SCISSOR_BIT);
  glPushClientAttrib(GL_CLIENT_VERTEX_ARRAY_BIT);
  set_up_state(data, fb_width, fb_height);
  const ImVec2 origin = data->DisplayPos;
  const ImVec2 scale = data->FramebufferScale;
  for (int n = 0; n < data->CmdListsCount; ++n) {
    const ImDrawList* list = data->CmdLists[n];
    const ImDrawVert* vertices = list->VtxBuffer.Data;
    const ImDrawIdx* indices = list->IdxBuffer.Data;
    for (const ImDrawCmd& cmd : list->CmdBuffer) {
      if (cmd.UserCallback) {
        if (cmd.UserCallback != ImDrawCallback_ResetRenderState) cmd.UserCallback(list, &cmd);
        else set_up_state(data, fb_width, fb_height);
        continue;
      }
      const float x0 = (cmd.ClipRect.x - origin.x) * scale.x, y0 = (cmd.ClipRect.y - origin.y) * scale.y;
      const float x1 = (cmd.ClipRect.z - origin.x) * scale.x, y1 = (cmd.ClipRect.w - origin.y) * scale.y;
      if (x1 <= x0 || y1 <= y0) continue;
      glScissor(static_cast<GLint>(x0), static_cast<GLint>(static_cast<float>(fb_height) - y1),
                static_cast<GLsizei>(x1 - x0), static_cast<GLsizei>(y1 - y0));
      // The command's indices count from its own vertex offset: point the arrays there.
      const ImDrawVert* first = vertices + cmd.VtxOffset;
      const auto* bytes = reinterpret_cast<const std::byte*>(first);
      glVertexPointer(2, GL_FLOAT, sizeof(ImDrawVert), bytes + offsetof(ImDrawVert, pos));
      glTexCoordPointer(2, GL_FLOAT, sizeof(ImDrawVert), bytes + offsetof(ImDrawVert, uv));
      glColorPointer(4, GL_UNSIGNED_BYTE, sizeof(ImDrawVert), bytes + offsetof(ImDrawVert, col));
      glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(reinterpret_cast<std::intptr_t>(cmd.GetTexID())));
      glDrawElements(GL_TRIANGLES, static_cast<GLsizei>(cmd.ElemCount),
                     sizeof(ImDrawIdx) == 2 ? GL_UNSIGNED_SHORT : GL_UNSIGNED_INT, indices + cmd.IdxOffset);
    }
  }
  glMatrixMode(GL_MODELVIEW);
  glPopMatrix();
  glMatrixMode(GL_PROJECTION);
  glPopMatrix();
  glPopClientAttrib();
  glPopAttrib();
}

}  // namespace gilsim::viz::platform

// ImGui's key map onto our indices.
#include "viz/ui/keys.hpp"

namespace gilsim::viz::ui {

void map_imgui_keys(ImGuiIO& io) {
  io.KeyMap[ImGuiKey_Tab] = kKeyTab;
  io.KeyMap[ImGuiKey_LeftArrow] = kKeyLeft;
  io.KeyMap[ImGuiKey_RightArrow] = kKeyRight;
  io.KeyMap[ImGuiKey_UpArrow] = kKeyUp;
  io.KeyMap[ImGuiKey_DownArrow] = kKeyDown;
  io.KeyMap[ImGuiKey_PageUp] = kKeyPageUp;
  io.KeyMap[ImGuiKey_PageDown] = kKeyPageDown;
  io.KeyMap[ImGuiKey_Home] = kKeyHome;
  io.KeyMap[ImGuiKey_End] = kKeyEnd;
  io.KeyMap[ImGuiKey_Insert] = kKeyInsert;
  io.KeyMap[ImGuiKey_Delete] = kKeyDelete;
  io.KeyMap[ImGuiKey_Backspace] = kKeyBackspace;
  io.KeyMap[ImGuiKey_Space] = kKeySpace;
  io.KeyMap[ImGuiKey_Enter] = kKeyEnter;
  io.KeyMap[ImGuiKey_Escape] = kKeyEscape;
  io.KeyMap[ImGuiKey_KeyPadEnter] = kKeyKeypadEnter;
  io.KeyMap[ImGuiKey_A] = kKeyA;
  io.KeyMap[ImGuiKey_C] = kKeyC;
  io.KeyMap[ImGuiKey_V] = kKeyV;
  io.KeyMap[ImGuiKey_X] = kKeyX;
  io.KeyMap[ImGuiKey_Y] = kKeyY;
  io.KeyMap[ImGuiKey_Z] = kKeyZ;
}

}  // namespace gilsim::viz::ui

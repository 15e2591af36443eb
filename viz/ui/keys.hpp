// The key indices the platform writes into ImGuiIO::KeysDown (ImGui 1.86 has no key events).
// The ui reads them by these names and never needs to know the windowing library.
#pragma once

#include <imgui.h>

namespace gilsim::viz::ui {

enum Key : int {
  kKeyTab = 1, kKeyLeft, kKeyRight, kKeyUp, kKeyDown, kKeyPageUp, kKeyPageDown, kKeyHome, kKeyEnd,
  kKeyInsert, kKeyDelete, kKeyBackspace, kKeySpace, kKeyEnter, kKeyEscape, kKeyKeypadEnter,
  kKeyA, kKeyC, kKeyV, kKeyX, kKeyY, kKeyZ,
  kKeyF1, kKeyF, kKeyG, kKeyL, kKeyM, kKeyP, kKeyS, kKeyPlus, kKeyMinus, kKeySlash,
  kKeyLeftBracket, kKeyRightBracket,
  kKeyCount
};

/// Points ImGui's named keys (text editing, navigation) at our indices.
void map_imgui_keys(ImGuiIO& io);

/// A key pressed this frame (with auto-repeat when held).
inline bool pressed(Key k, bool repeat = true) { return ImGui::IsKeyPressed(k, repeat); }

}  // namespace gilsim::viz::ui

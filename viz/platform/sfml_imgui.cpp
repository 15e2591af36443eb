// SFML events into ImGuiIO (ImGui 1.86: KeysDown[] and KeyMap[], no key events).
#include "viz/platform/sfml_imgui.hpp"

#include <cstring>
#include <string>

#include <SFML/Window/Clipboard.hpp>

#include "viz/ui/keys.hpp"

namespace gilsim::viz::platform {

namespace {

using K = sf::Keyboard;

int key_index(K::Key key) {
  using namespace gilsim::viz::ui;
  switch (key) {
    case K::Tab: return kKeyTab;
    case K::Left: return kKeyLeft;
    case K::Right: return kKeyRight;
    case K::Up: return kKeyUp;
    case K::Down: return kKeyDown;
    case K::PageUp: return kKeyPageUp;
    case K::PageDown: return kKeyPageDown;
    case K::Home: return kKeyHome;
    case K::End: return kKeyEnd;
    case K::Insert: return kKeyInsert;
    case K::Delete: return kKeyDelete;
    case K::Backspace: return kKeyBackspace;
    case K::Space: return kKeySpace;
    case K::Enter: return kKeyEnter;
    case K::Escape: return kKeyEscape;
    case K::A: return kKeyA;
    case K::C: return kKeyC;
    case K::V: return kKeyV;
    case K::X: return kKeyX;
    case K::Y: return kKeyY;
    case K::Z: return kKeyZ;
    case K::F1: return kKeyF1;
    case K::F: return kKeyF;
    case K::G: return kKeyG;
    case K::L: return kKeyL;
    case K::M: return kKeyM;
    case K::P: return kKeyP;
    case K::S: return kKeyS;
    case K::Add:
    case K::Equal: return kKeyPlus;
    case K::Subtract:
    case K::Hyphen: return kKeyMinus;
    case K::Slash: return kKeySlash;
    case K::LBracket: return kKeyLeftBracket;
    case K::RBracket: return kKeyRightBracket;
    default: return -1;
  }
}

void set_clipboard(void*, const char* text) { sf::Clipboard::setString(sf::String::fromUtf8(text, text + std::strlen(text))); }

const char* get_clipboard(void*) {
  static std::string text;
  const auto utf8 = sf::Clipboard::getString().toUtf8();
  text.assign(utf8.begin(), utf8.end());
  return text.c_str();
}

}  // namespace

SfmlImGui::SfmlImGui(sf::RenderWindow& window) : window_(window) {
  ImGuiIO& io = ImGui::GetIO();
  io.BackendPlatformName = "gilviz_sfml";
  io.BackendFlags |= ImGuiBackendFlags_HasMouseCursors;
  io.IniFilename = nullptr;
  ui::map_imgui_keys(io);
  io.SetClipboardTextFn = set_clipboard;
  io.GetClipboardTextFn = get_clipboard;
  const std::pair<ImGuiMouseCursor, sf::Cursor::Type> kinds[] = {
      {ImGuiMouseCursor_Arrow, sf::Cursor::Arrow},           {ImGuiMouseCursor_TextInput, sf::Cursor::Text},
      {ImGuiMouseCursor_ResizeAll, sf::Cursor::SizeAll},     {ImGuiMouseCursor_ResizeNS, sf::Cursor::SizeVertical},
      {ImGuiMouseCursor_ResizeEW, sf::Cursor::SizeHorizontal}, {ImGuiMouseCursor_ResizeNESW, sf::Cursor::SizeBottomLeftTopRight},
      {ImGuiMouseCursor_ResizeNWSE, sf::Cursor::SizeTopLeftBottomRight}, {ImGuiMouseCursor_Hand, sf::Cursor::Hand},
      {ImGuiMouseCursor_NotAllowed, sf::Cursor::NotAllowed}};
  for (const auto& [imgui_kind, sfml_kind] : kinds) {
    auto cursor = std::make_unique<sf::Cursor>();
    if (cursor->loadFromSystem(sfml_kind)) cursors_[static_cast<std::size_t>(imgui_kind)] = std::move(cursor);
  }
}

void SfmlImGui::process_event(const sf::Event& event) {
  ImGuiIO& io = ImGui::GetIO();
  switch (event.type) {
    case sf::Event::KeyPressed:
    case sf::Event::KeyReleased: {
      const bool down = event.type == sf::Event::KeyPressed;
      if (const int i = key_index(event.key.code); i >= 0) io.KeysDown[i] = down;
      io.KeyCtrl = event.key.control;
      io.KeyShift = event.key.shift;
      io.KeyAlt = event.key.alt;
      io.KeySuper = event.key.system;
      break;
    }
    case sf::Event::TextEntered:
      if (event.text.unicode >= 32 && event.text.unicode != 127) io.AddInputCharacter(event.text.unicode);
      break;
    case sf::Event::MouseMoved:
      io.MousePos = ImVec2(static_cast<float>(event.mouseMove.x), static_cast<float>(event.mouseMove.y));
      break;
    case sf::Event::MouseButtonPressed:
    case sf::Event::MouseButtonReleased: {
      const int b = event.mouseButton.button == sf::Mouse::Left    ? 0
                    : event.mouseButton.button == sf::Mouse::Right ? 1
                    : event.mouseButton.button == sf::Mouse::Middle ? 2 : -1;
      if (b < 0) break;
      if (event.type == sf::Event::MouseButtonPressed) {
        io.MouseDown[b] = true;
        pressed_since_frame_[b] = true;
      } else if (pressed_since_frame_[b]) {
        release_after_frame_[b] = true;  // ImGui has not seen the press yet
      } else {
        io.MouseDown[b] = false;
      }
      break;
    }
    case sf::Event::MouseWheelScrolled:
      if (event.mouseWheelScroll.wheel == sf::Mouse::VerticalWheel) io.MouseWheel += event.mouseWheelScroll.delta;
      else io.MouseWheelH += event.mouseWheelScroll.delta;
      break;
    case sf::Event::LostFocus:
      for (bool& k : io.KeysDown) k = false;
      io.KeyCtrl = io.KeyShift = io.KeyAlt = io.KeySuper = false;
      break;
    case sf::Event::MouseLeft:
      io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
      break;
    default:
      break;
  }
}

void SfmlImGui::new_frame(float seconds) {
  ImGuiIO& io = ImGui::GetIO();
  const sf::Vector2u size = window_.getSize();
  io.DisplaySize = ImVec2(static_cast<float>(size.x), static_cast<float>(size.y));
  io.DisplayFramebufferScale = ImVec2(1, 1);
  io.DeltaTime = seconds > 0 ? seconds : 1.0f / 60.0f;
  const ImGuiMouseCursor wanted = io.MouseDrawCursor ? ImGuiMouseCursor_None : ImGui::GetMouseCursor();
  if (wanted != shown_cursor_) {
    shown_cursor_ = wanted;
    window_.setMouseCursorVisible(wanted != ImGuiMouseCursor_None);
    const sf::Cursor* cursor =
        wanted >= 0 && wanted < ImGuiMouseCursor_COUNT ? cursors_[static_cast<std::size_t>(wanted)].get() : nullptr;
    if (cursor) window_.setMouseCursor(*cursor);
    else if (cursors_[ImGuiMouseCursor_Arrow]) window_.setMouseCursor(*cursors_[ImGuiMouseCursor_Arrow]);
  }
}

void SfmlImGui::end_frame() {
  ImGuiIO& io = ImGui::GetIO();
  for (int b = 0; b < 3; ++b) {
    if (release_after_frame_[b]) io.MouseDown[b] = false;
    release_after_frame_[b] = false;
    pressed_since_frame_[b] = false;
  }
}

}  // namespace gilsim::viz::platform

// XOpenDisplay as a yes/no question.
#include "viz/platform/display_check.hpp"

#include <X11/Xlib.h>

namespace gilsim::viz::platform {

bool display_reachable() {
  // The connection stays open for the life of the process: closing the only client makes
  // an X server such as Xvfb reset, and SFML's own connection, made a moment later, would
  // then fail and abort.
  static Display* const display = XOpenDisplay(nullptr);
  return display != nullptr;
}

}  // namespace gilsim::viz::platform

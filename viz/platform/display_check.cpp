// XOpenDisplay as a yes/no question.
#include "viz/platform/display_check.hpp"

#include <X11/Xlib.h>

namespace gilsim::viz::platform {

bool display_reachable() {
  Display* display = XOpenDisplay(nullptr);
  if (display == nullptr) return false;
  XCloseDisplay(display);
  return true;
}

}  // namespace gilsim::viz::platform

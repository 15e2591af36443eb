// Whether the X server can be reached. SFML aborts when it cannot; asking first lets gilviz
// say what to do instead. Kept apart: Xlib's macros clash with ordinary C++ names.
#pragma once

namespace gilsim::viz::platform {

bool display_reachable();

}  // namespace gilsim::viz::platform

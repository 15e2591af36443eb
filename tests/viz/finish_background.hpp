// One wait for the viewer tests that move a knob and need its new runs in before they look.
#pragma once

#include <chrono>
#include <thread>

#include "viz/session.hpp"

namespace gilsim::viz::testing {

/// Waits for the change being simulated, then lets poll() put it in, as the next frame does.
inline bool finish_background(Session& s) {
  while (s.simulating() && !s.background_ready()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return s.poll(0);
}

}  // namespace gilsim::viz::testing

// The padlock icon: a dark blue disc, a white shackle (a half ring) and a white body with a
// keyhole, computed per pixel with a little anti-aliasing at the disc's edge.
#include "viz/window_icon.hpp"

#include <algorithm>
#include <cmath>

namespace gilsim::viz {

std::vector<std::uint8_t> window_icon_rgba(int size) {
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(size) * static_cast<std::size_t>(size) * 4, 0);
  const double s = size;
  const double c = s / 2.0;
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      const double px = x + 0.5;
      const double py = y + 0.5;
      const double from_centre = std::hypot(px - c, py - c);
      const double coverage = std::clamp(c - from_centre, 0.0, 1.0);  // the disc's soft edge
      if (coverage <= 0.0) continue;
      // The body: a rectangle in the lower middle; the shackle: a ring above it.
      const bool in_body = px > 0.28 * s && px < 0.72 * s && py > 0.45 * s && py < 0.78 * s;
      const double ring = std::hypot(px - c, py - 0.45 * s);
      const bool in_shackle = py < 0.47 * s && ring > 0.13 * s && ring < 0.2 * s;
      const bool in_keyhole = std::hypot(px - c, py - 0.58 * s) < 0.05 * s ||
                              (std::abs(px - c) < 0.025 * s && py > 0.58 * s && py < 0.69 * s);
      const bool white = (in_body && !in_keyhole) || in_shackle;
      std::uint8_t* p = &pixels[(static_cast<std::size_t>(y) * static_cast<std::size_t>(size) + x) * 4];
      p[0] = white ? 255 : 36;
      p[1] = white ? 255 : 82;
      p[2] = white ? 255 : 148;
      p[3] = static_cast<std::uint8_t>(std::lround(255.0 * coverage));
    }
  }
  return pixels;
}

}  // namespace gilsim::viz

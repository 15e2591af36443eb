// The window icon, drawn in code: a padlock (the GIL) on a round badge, so the viewer
// needs no image file for it.
#pragma once

#include <cstdint>
#include <vector>

namespace gilsim::viz {

/// `size` x `size` RGBA pixels, row by row, transparent outside the badge.
std::vector<std::uint8_t> window_icon_rgba(int size);

}  // namespace gilsim::viz

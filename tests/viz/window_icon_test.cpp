// The window icon: a round badge (transparent corners, opaque centre) with a white padlock.
#include <doctest/doctest.h>

#include "viz/window_icon.hpp"

TEST_CASE("the window icon is a badge with a white padlock, transparent outside") {
  constexpr int size = 64;
  const auto pixels = gilsim::viz::window_icon_rgba(size);
  REQUIRE(pixels.size() == size * size * 4);
  const auto at = [&](int x, int y) { return &pixels[(y * size + x) * 4]; };
  CHECK(at(0, 0)[3] == 0);                 // a corner: outside the disc
  CHECK(at(size - 1, size - 1)[3] == 0);
  CHECK(at(size / 2, 3)[3] == 255);        // the top of the disc: badge blue
  CHECK(at(size / 2, 3)[2] > at(size / 2, 3)[0]);
  CHECK(at(20, 45)[0] == 255);             // the padlock's body: white
  CHECK(at(size / 2, size * 58 / 100)[0] != 255);  // the keyhole: not white
}

// Checks a gilviz screenshot: the PNG loads, is not blank, and shows the GIL-holder colours
// (thread identity colours on GIL and core lanes, and on the lock token). The "running
// Python" colour is counted and printed; a scenario's picture may legitimately show little.
// Usage: png_check FILE.png
#include <cstdio>
#include <cstdlib>

#include <SFML/Graphics/Image.hpp>

#include "viz/palette.hpp"

namespace {

bool same(sf::Color c, gilsim::viz::Rgba want) {
  const auto near = [](int a, int b) { return std::abs(a - b) <= 2; };
  return near(c.r, want.r) && near(c.g, want.g) && near(c.b, want.b);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace gilsim::viz;
  if (argc != 2) {
    std::fprintf(stderr, "usage: png_check FILE.png\n");
    return 2;
  }
  sf::Image image;
  if (!image.loadFromFile(argv[1])) {
    std::fprintf(stderr, "png_check: %s does not load as an image\n", argv[1]);
    return 1;
  }
  const auto size = image.getSize();
  if (size.x < 320 || size.y < 240) {
    std::fprintf(stderr, "png_check: %s is only %ux%u\n", argv[1], size.x, size.y);
    return 1;
  }
  long holder_pixels = 0, running_pixels = 0, differing = 0;
  const sf::Color first = image.getPixel(0, 0);
  for (unsigned y = 0; y < size.y; ++y) {
    for (unsigned x = 0; x < size.x; ++x) {
      const sf::Color c = image.getPixel(x, y);
      if (c != first) ++differing;
      if (same(c, state_colour(gilsim::trace::SpanState::Running))) ++running_pixels;
      for (int i = 0; i < kIdentityColours; ++i) {
        if (same(c, identity_colour(static_cast<std::uint32_t>(i)))) {
          ++holder_pixels;
          break;
        }
      }
    }
  }
  const long total = static_cast<long>(size.x) * size.y;
  std::printf("%s: %ux%u, %ld%% not background, %ld GIL-holder pixels, %ld running pixels\n", argv[1], size.x,
              size.y, differing * 100 / total, holder_pixels, running_pixels);
  bool ok = true;
  if (differing < total / 20) std::fprintf(stderr, "png_check: looks blank\n"), ok = false;
  // A lock token alone is about 40 x 20 pixels; lanes add far more.
  if (holder_pixels < 500) std::fprintf(stderr, "png_check: too few GIL-holder colours\n"), ok = false;
  return ok ? 0 : 1;
}

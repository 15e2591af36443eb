#include "viz/platform/png_writer.hpp"

#include <stdexcept>

#include <stb/stb_image_write.h>

namespace gilsim::viz::platform {

namespace {

extern "C" void append_to_stream(void* context, void* data, int size) {
  static_cast<std::ostream*>(context)->write(static_cast<const char*>(data), size);
}

}  // namespace

void write_png(const sf::Image& image, std::ostream& out) {
  const sf::Vector2u size = image.getSize();
  const int width = static_cast<int>(size.x), height = static_cast<int>(size.y);
  if (width <= 0 || height <= 0 ||
      stbi_write_png_to_func(append_to_stream, &out, width, height, 4, image.getPixelsPtr(), width * 4) == 0) {
    throw std::runtime_error("could not encode the screenshot as PNG");
  }
}

}  // namespace gilsim::viz::platform

// A PNG into a stream, so that a screenshot goes through the exports' one file writer
// (sim/trace/atomic_file.hpp) rather than to a path of SFML's choosing.
#pragma once

#include <ostream>

#include <SFML/Graphics/Image.hpp>

namespace gilsim::viz::platform {

/// Encodes `image` (RGBA) as PNG onto `out`. Throws std::runtime_error if it cannot encode;
/// a failed write shows in `out`'s state, as for any other output.
void write_png(const sf::Image& image, std::ostream& out);

}  // namespace gilsim::viz::platform

// Text shaping for panels: a scenario's teaching note is written with hard line breaks in
// TOML; reflowing it lets the panel wrap it to its own width.
#pragma once

#include <string>
#include <string_view>

namespace gilsim::viz {

/// Joins the lines of each paragraph with spaces; keeps blank lines, and starts a new line
/// for list items ("- ", "* ", "1. ").
std::string reflow(std::string_view text);

}  // namespace gilsim::viz

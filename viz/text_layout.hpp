// Text shaping for panels: a scenario's teaching note is written with hard line breaks in
// TOML; reflowing it lets the panel wrap it to its own width.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace gilsim::viz {

/// Joins the lines of each paragraph with spaces; keeps blank lines, and starts a new line
/// for list items ("- ", "* ", "1. ").
std::string reflow(std::string_view text);

/// Breaks `text` into lines no wider than `width` (as `measure` says), at spaces and line
/// breaks only: "1.8x" or "0.5 s" never split inside. A word wider than `width` gets a line
/// of its own. Lines are views into `text`; a blank line is an empty view.
std::vector<std::string_view> wrap_at_spaces(std::string_view text, float width,
                                             const std::function<float(std::string_view)>& measure);

}  // namespace gilsim::viz

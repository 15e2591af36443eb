// Wrapping prose (a scenario's teaching note) to the terminal, keeping the author's lines.
#pragma once

#include <string>
#include <string_view>

namespace gilsim::cli {

/// Breaks each line longer than `width` (in terminal columns) at spaces, and between the
/// characters of Chinese or Japanese prose (scenario::break_pieces). Existing line breaks, blank lines and
/// indentation stay; continuation lines of a list item ("- ", "* ") hang under its text.
/// Leading and trailing blank lines are dropped. Every line ends with '\n'.
std::string wrap_text(std::string_view text, int width);

/// `text` with its spaces made no-break ones (U+00A0), so that wrap_text keeps it on one line:
/// a value and its unit ("70.0 ms"; a sweep's legend read "from 30.0 ms to 70.0" then "ms").
/// wrap_text writes them as plain spaces.
std::string no_break(std::string_view text);

}  // namespace gilsim::cli

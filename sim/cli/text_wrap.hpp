// Wrapping prose (a scenario's teaching note) to the terminal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gilsim::cli {

/// Breaks each line longer than `width` (in terminal columns) at spaces, and between the
/// characters of Chinese or Japanese prose (scenario::break_pieces). Existing line breaks, blank lines and
/// indentation stay; continuation lines of a list item ("- ", "* ") hang under its text.
/// Leading and trailing blank lines are dropped. Every line ends with '\n'.
std::string wrap_text(std::string_view text, int width);

/// wrap_text for prose its author wrapped (a scenario's note): where a line is wider than
/// `width`, it and the lines that go on its paragraph are joined and wrapped again, so that no
/// line's tail stands alone ("each)," between two full lines at 72 columns); a list item, a
/// blank line, a change of indent or a sentence that starts a line after a full stop ("Ask
/// first:") starts a new paragraph. Where every line fits, the same as wrap_text.
std::string wrap_note(std::string_view text, int width);

/// One entry of a legend (": running and waiting for GIL in turn, ..."), wrapped at `width`
/// with its lines after the first two columns in, under its words after the symbol.
std::string wrap_entry(std::string_view entry, int width);

/// `text` with its spaces made no-break ones (U+00A0), so that wrap_text keeps it on one line:
/// a value and its unit ("70.0 ms"; a sweep's legend read "from 30.0 ms to 70.0" then "ms").
/// wrap_text writes them as plain spaces.
std::string no_break(std::string_view text);

/// "a, b and c": items joined as prose lists them.
std::string and_list(const std::vector<std::string>& items);

}  // namespace gilsim::cli

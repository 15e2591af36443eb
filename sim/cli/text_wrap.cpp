// Line-by-line word wrapping with hanging indents for list items.
#include "sim/cli/text_wrap.hpp"

#include <algorithm>
#include <vector>

#include "sim/scenario/unicode_text.hpp"

namespace gilsim::cli {

namespace {

constexpr std::string_view kNoBreakSpace = "\u00a0";

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  while (!lines.empty() && lines.back().find_first_not_of(" \t\r") == std::string_view::npos) lines.pop_back();
  while (!lines.empty() && lines.front().find_first_not_of(" \t\r") == std::string_view::npos) {
    lines.erase(lines.begin());
  }
  return lines;
}

/// Columns a wrapped continuation of `line` is indented by.
std::size_t hanging_indent(std::string_view line) {
  const std::size_t lead = line.find_first_not_of(' ');
  const std::string_view rest = line.substr(lead);
  if (rest.starts_with("- ") || rest.starts_with("* ") || rest.starts_with("+ ")) return lead + 2;
  return lead;
}

void wrap_line(std::string_view line, std::size_t width, std::string& out) {
  const std::size_t indent = hanging_indent(line);
  std::string current(line.substr(0, line.find_first_not_of(' ')));
  std::size_t columns = current.size();  // in a terminal: a Chinese character takes two
  bool line_has_word = false;
  std::size_t pos = current.size();
  while (pos < line.size()) {
    const std::size_t end = std::min(line.find(' ', pos), line.size());
    const std::string_view word = line.substr(pos, end - pos);
    pos = line.find_first_not_of(' ', end);
    if (pos == std::string_view::npos) pos = line.size();
    if (word.empty()) continue;
    // A word of Chinese breaks between its characters, joined without a space where it does not.
    bool first_piece = true;
    for (const std::string_view piece : scenario::break_pieces(word)) {
      const std::size_t piece_columns = scenario::terminal_columns(piece);
      const std::size_t space = first_piece && line_has_word ? 1 : 0;
      if (line_has_word && columns + space + piece_columns > width) {
        out += current + "\n";
        current.assign(indent, ' ');
        columns = indent;
        line_has_word = false;
      }
      if (first_piece && line_has_word) current += ' ', ++columns;
      current += piece;
      columns += piece_columns;
      line_has_word = true;
      first_piece = false;
    }
  }
  out += current + "\n";
}

}  // namespace

std::string wrap_text(std::string_view text, int width) {
  const std::size_t columns = static_cast<std::size_t>(std::max(width, 20));
  std::string out;
  for (std::string_view line : split_lines(text)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(' ') == std::string_view::npos) {
      out += "\n";
      continue;
    }
    wrap_line(line, columns, out);
  }
  // A no-break space holds its words together while lines are broken, then prints as a space.
  std::string spaced;
  for (std::size_t at = 0; at < out.size();) {
    const bool held = std::string_view(out).substr(at).starts_with(kNoBreakSpace);
    spaced += held ? ' ' : out[at];
    at += held ? kNoBreakSpace.size() : 1;
  }
  return spaced;
}

std::string no_break(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == ' ') out += kNoBreakSpace;
    else out += c;
  }
  return out;
}

}  // namespace gilsim::cli

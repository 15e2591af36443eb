// Word wrapping with hanging indents for list items; paragraphs the author wrapped wider than
// the terminal are joined and wrapped again.
#include "sim/cli/text_wrap.hpp"

#include <algorithm>
#include <cctype>
#include <string>
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

/// Columns a list item's marker takes with the space after it: 2 for "- ", "* " and "+ ", 3
/// for "1. " or "2) ", 4 for "10. "; 0 for a line that starts no item.
std::size_t item_marker(std::string_view rest) {
  if (rest.starts_with("- ") || rest.starts_with("* ") || rest.starts_with("+ ")) return 2;
  std::size_t digits = 0;
  while (digits < rest.size() && digits < 3 && std::isdigit(static_cast<unsigned char>(rest[digits])) != 0) ++digits;
  if (digits > 0 && digits + 1 < rest.size() && (rest[digits] == '.' || rest[digits] == ')') && rest[digits + 1] == ' ') {
    return digits + 2;
  }
  return 0;
}

/// Columns a wrapped continuation of `line` is indented by.
std::size_t hanging_indent(std::string_view line) {
  const std::size_t lead = line.find_first_not_of(' ');
  return lead == std::string_view::npos ? 0 : lead + item_marker(line.substr(lead));
}

/// Whether `word` is a unit that stays on the line of the number before it ("1 ms", "20 MiB").
bool is_unit(std::string_view word) {
  while (!word.empty() && std::string_view(",;:.)").find(word.back()) != std::string_view::npos) word.remove_suffix(1);
  for (const std::string_view unit : {"ns", "us", "µs", "ms", "s", "KiB", "MiB", "GiB", "KB", "MB", "GB", "%"}) {
    if (word == unit) return true;
  }
  return false;
}

/// The words of `line` after its indent; a number and its unit are one ("1 ms;" does not
/// break into "1" / "ms;").
std::vector<std::string_view> words_of(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t pos = line.find_first_not_of(' ');
  while (pos != std::string_view::npos && pos < line.size()) {
    const std::size_t end = std::min(line.find(' ', pos), line.size());
    const std::string_view word = line.substr(pos, end - pos);
    if (!words.empty() && is_unit(word) && std::isdigit(static_cast<unsigned char>(words.back().back())) != 0 &&
        words.back().data() + words.back().size() + 1 == word.data()) {
      words.back() = std::string_view(words.back().data(), words.back().size() + 1 + word.size());
    } else {
      words.push_back(word);
    }
    pos = line.find_first_not_of(' ', end);
  }
  return words;
}

/// `line` broken at `width`, its continuation lines `indent` columns in.
void wrap_line(std::string_view line, std::size_t width, std::size_t indent, std::string& out) {
  std::string current(line.substr(0, line.find_first_not_of(' ')));
  std::size_t columns = current.size();  // in a terminal: a Chinese character takes two
  bool line_has_word = false;
  for (const std::string_view word : words_of(line)) {
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

bool is_blank(std::string_view line) { return line.find_first_not_of(" \t") == std::string_view::npos; }

bool starts_item(std::string_view line) { return item_marker(line.substr(line.find_first_not_of(' '))) > 0; }

/// Whether an indented line shows a command to type: its first word an option ("--set ...")
/// or a program ("gilsim sweep ..."); other indented lines (a quotation) are prose.
bool looks_like_command(std::string_view line) {
  const std::string_view rest = line.substr(line.find_first_not_of(' '));
  const std::string_view first = rest.substr(0, rest.find(' '));
  if (first.starts_with("-")) return true;
  for (const std::string_view program : {"gilsim", "gilviz", "python3", "python", "./scripts/", "scripts/"}) {
    if (first == program || first.starts_with("build/") || (program.ends_with('/') && first.starts_with(program))) {
      return true;
    }
  }
  return false;
}

/// Columns the last character of `line` takes (two for a Chinese one), and the first's.
std::size_t last_columns(std::string_view line) {
  std::size_t at = line.size();
  while (at > 0 && (static_cast<unsigned char>(line[at - 1]) & 0xC0) == 0x80) --at;
  return at == 0 ? 0 : scenario::terminal_columns(line.substr(at - 1));
}
std::size_t first_columns_of(std::string_view line) {
  const std::string_view rest = line.substr(line.find_first_not_of(' '));
  std::size_t end = rest.empty() ? 0 : 1;
  while (end < rest.size() && (static_cast<unsigned char>(rest[end]) & 0xC0) == 0x80) ++end;
  return scenario::terminal_columns(rest.substr(0, end));
}

/// A line of the text to wrap: a paragraph, or a line of a command shown in it.
struct Block {
  std::string text;
  bool command = false;
};

/// The text's lines joined into paragraphs where the author wrapped them wider than the
/// terminal: a line too wide for it, whose tail would stand alone, takes the next line of its
/// paragraph (at its hanging indent, no new list item, not a new sentence after a full stop:
/// "Ask first:" starts its own line). At 72 columns a lesson's note of 78-column lines read
/// "... (1 ms waiting, 0.1 ms of Python" / "each)," / "about 110 ms ...". An indented line
/// that reads as a command (looks_like_command), deeper than the paragraph it follows or after
/// a blank line, is one (lesson 4's "  --set 'job.handler.steps=...'" under "Try:"), as are
/// the commands right under it: each stays a line of its own, joined with nothing. Another
/// line indented deeper than its paragraph (a quotation) starts a paragraph of its own.
std::vector<Block> paragraphs(const std::vector<std::string_view>& lines, std::size_t width) {
  std::vector<Block> out;
  std::string_view last;  // the last line, as the author wrote it
  for (const std::string_view line : lines) {
    const std::size_t lead = is_blank(line) ? 0 : line.find_first_not_of(' ');
    const bool follows_text = !out.empty() && !is_blank(last) && !is_blank(line) && !starts_item(line);
    const bool indented = follows_text && !out.back().command && lead > hanging_indent(out.back().text);
    const bool after_blank = out.empty() || is_blank(last);
    const bool under_command = !out.empty() && out.back().command && !is_blank(last);
    if (lead > 0 && !is_blank(line) && !starts_item(line) && (indented || after_blank || under_command) &&
        looks_like_command(line)) {
      out.push_back({std::string(line), true});
      last = line;
      continue;
    }
    const bool joins = [&] {
      if (!follows_text || out.back().command || indented) return false;
      // Once a paragraph is wider than the terminal its lines are no longer the author's.
      if (scenario::terminal_columns(out.back().text) <= width) return false;
      if (lead != hanging_indent(out.back().text)) return false;
      const std::string_view ended = last.substr(0, last.find_last_not_of(' ') + 1);
      const bool sentence_ended = !ended.empty() && std::string_view(".?!:").find(ended.back()) != std::string_view::npos;
      return !(sentence_ended && std::isupper(static_cast<unsigned char>(line[lead])) != 0);
    }();
    if (joins) {
      // Chinese prose has no space between lines' characters.
      if (last_columns(last) != 2 || first_columns_of(line) != 2) out.back().text += ' ';
      out.back().text += line.substr(lead);
    } else {
      out.push_back({std::string(line), false});
    }
    last = line;
  }
  return out;
}

/// The words of a command, split at spaces outside quotes (a quoted TOML value is one), an
/// option with its value.
std::vector<std::string_view> command_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t begin = std::string_view::npos;
  char quote = 0;
  for (std::size_t i = 0; i <= line.size(); ++i) {
    const char c = i < line.size() ? line[i] : ' ';
    if (quote != 0 && i < line.size()) {  // a quote left open ends with the line, its words kept
      if (c == quote) quote = 0;
      continue;
    }
    if (c == ' ') {
      if (begin == std::string_view::npos) continue;
      const std::string_view word = line.substr(begin, i - begin);
      begin = std::string_view::npos;
      // An option stays with its value: "--set 'job...'", "--vary workers=1..16".
      const std::string_view before = words.empty() ? std::string_view{} : words.back();
      const bool lone_option = before.starts_with("--") && before.find_first_of("= ") == std::string_view::npos;
      if (lone_option && !word.starts_with("-")) {
        words.back() = line.substr(static_cast<std::size_t>(before.data() - line.data()),
                                   static_cast<std::size_t>(word.data() + word.size() - before.data()));
      } else {
        words.push_back(word);
      }
      continue;
    }
    if (begin == std::string_view::npos) begin = i;
    if (c == '\'' || c == '"') quote = c;
  }
  return words;
}

/// A command too wide for the terminal, broken as a shell reads it: " \\" at the end of each
/// line but the last, never inside quotes, the lines after it indented two more. Pasted, it
/// runs as written; a quoted value wider than the terminal stays whole.
void wrap_command(std::string_view line, std::size_t width, std::string& out) {
  const std::size_t lead = line.find_first_not_of(' ');
  if (scenario::terminal_columns(line) <= width) {
    out += std::string(line) + "\n";
    return;
  }
  std::string current(lead, ' ');
  bool has_word = false;
  for (const std::string_view word : command_words(line)) {
    const std::size_t columns = scenario::terminal_columns(current) + (has_word ? 1 : 0) + scenario::terminal_columns(word);
    if (has_word && columns + 2 > width) {
      out += current + " \\\n";
      current.assign(lead + 2, ' ');
      has_word = false;
    }
    if (has_word) current += ' ';
    current += word;
    has_word = true;
  }
  out += current + "\n";
}

}  // namespace

namespace {

std::string wrap(std::string_view text, int width, bool reflow) {
  const std::size_t columns = static_cast<std::size_t>(std::max(width, 20));
  std::vector<std::string_view> lines = split_lines(text);
  for (std::string_view& line : lines) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  }
  std::vector<Block> blocks;
  if (reflow) {
    blocks = paragraphs(lines, columns);
  } else {
    for (const std::string_view line : lines) blocks.push_back({std::string(line), false});
  }
  std::string out;
  for (const Block& block : blocks) {
    if (is_blank(block.text)) out += "\n";
    else if (block.command) wrap_command(block.text, columns, out);
    else wrap_line(block.text, columns, hanging_indent(block.text), out);
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

}  // namespace

std::string wrap_text(std::string_view text, int width) { return wrap(text, width, false); }

std::string wrap_note(std::string_view text, int width) { return wrap(text, width, true); }

std::string wrap_entry(std::string_view entry, int width) {
  std::string out;
  wrap_line(entry, static_cast<std::size_t>(std::max(width, 20)), 2, out);
  return out;
}

std::string no_break(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == ' ') out += kNoBreakSpace;
    else out += c;
  }
  return out;
}

std::string and_list(const std::vector<std::string>& items) {
  std::string out = items.empty() ? "" : items.front();
  for (std::size_t n = 1; n < items.size(); ++n) out += (n + 1 == items.size() ? " and " : ", ") + items[n];
  return out;
}

}  // namespace gilsim::cli

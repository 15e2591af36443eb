// Guards in front of toml++ 3.3 (Debian 12), each refusing at its line and column what it
// mishandles: bytes above 0x7f outside strings and comments (which TOML allows only inside
// them, and on some of which toml++ reaches undefined behaviour), and keys of thousands of
// dotted parts (on which it recurses until the stack overflows).
#include <algorithm>

#include <fmt/format.h>

#include "sim/scenario/loader.hpp"

namespace gilsim::scenario {

namespace {

enum class Lexeme { Code, Comment, Basic, Literal, MultiBasic, MultiLiteral };

bool starts_with_at(std::string_view text, std::size_t i, std::string_view what) {
  return text.compare(i, what.size(), what) == 0;
}

/// The index of the last quote of a closing delimiter at `i`: TOML lets up to two more
/// quotes of the same kind end the content right before it ("""a"""" is 'a"').
std::size_t end_of_closing_quotes(std::string_view text, std::size_t i, char quote) {
  std::size_t last = i + 2;
  for (int extra = 0; extra < 2 && last + 1 < text.size() && text[last + 1] == quote; ++extra) ++last;
  return last;
}

/// Calls `code(i)` for each character outside strings and comments, newlines too, until it
/// returns true; returns that index, or npos.
template <class Visit>
std::size_t first_in_code(std::string_view text, Visit&& code) {
  Lexeme state = Lexeme::Code;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      // A newline ends a comment and a one-line string (an unterminated one is toml++'s to report).
      if (state == Lexeme::Comment || state == Lexeme::Basic || state == Lexeme::Literal) state = Lexeme::Code;
      if (state == Lexeme::Code && code(i)) return i;
      continue;
    }
    switch (state) {
      case Lexeme::Code:
        if (code(i)) return i;
        if (c == '#') {
          state = Lexeme::Comment;
        } else if (starts_with_at(text, i, R"(""")")) {
          state = Lexeme::MultiBasic;
          i += 2;
        } else if (starts_with_at(text, i, "'''")) {
          state = Lexeme::MultiLiteral;
          i += 2;
        } else if (c == '"') {
          state = Lexeme::Basic;
        } else if (c == '\'') {
          state = Lexeme::Literal;
        }
        break;
      case Lexeme::Comment: break;
      case Lexeme::Basic:
        if (c == '\\' && i + 1 < text.size() && text[i + 1] != '\n') {
          ++i;
        } else if (c == '"') {
          state = Lexeme::Code;
        }
        break;
      case Lexeme::Literal:
        if (c == '\'') state = Lexeme::Code;
        break;
      case Lexeme::MultiBasic:
        if (c == '\\' && i + 1 < text.size() && text[i + 1] != '\n') {
          ++i;
        } else if (starts_with_at(text, i, R"(""")")) {
          state = Lexeme::Code;
          i = end_of_closing_quotes(text, i, '"');
        }
        break;
      case Lexeme::MultiLiteral:
        if (starts_with_at(text, i, "'''")) {
          state = Lexeme::Code;
          i = end_of_closing_quotes(text, i, '\'');
        }
        break;
    }
  }
  return std::string_view::npos;
}

/// The line and column of `at` in `text`, for a ScenarioError.
SourceLoc location_of(std::string_view text, std::size_t at, std::string_view source_name) {
  const std::size_t newline = at == 0 ? std::string_view::npos : text.rfind('\n', at - 1);
  const std::size_t line_start = newline == std::string_view::npos ? 0 : newline + 1;
  const auto line = std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n') + 1;
  return SourceLoc{std::string(source_name), static_cast<int>(line), static_cast<int>(at - line_start + 1)};
}

}  // namespace

std::size_t first_non_ascii_outside_strings(std::string_view text) {
  return first_in_code(text, [text](std::size_t i) { return static_cast<unsigned char>(text[i]) > 0x7f; });
}

void check_ascii_outside_strings(std::string_view text, std::string_view source_name) {
  const std::size_t at = first_non_ascii_outside_strings(text);
  if (at == std::string_view::npos) return;
  std::string bytes;
  for (std::size_t j = at; j < text.size() && j < at + 4 && static_cast<unsigned char>(text[j]) > 0x7f; ++j) {
    bytes += fmt::format("{}{:02X}", bytes.empty() ? "" : " ", static_cast<unsigned char>(text[j]));
  }
  throw ScenarioError(location_of(text, at, source_name),
                      fmt::format("a non-ASCII character (bytes {}) outside a string or a comment; "
                                  "expected ASCII there (write such text inside quotes)",
                                  bytes));
}

std::size_t first_dot_past_key_parts(std::string_view text) {
  // The dots of one key: from a line's start, or a table's bracket, an inline table's brace or
  // a comma, to its '='. A value's dots ("1.5") are after one of those, one each at most.
  constexpr int kMostDots = kMostKeyParts - 1;
  int dots = 0;
  return first_in_code(text, [text, &dots](std::size_t i) {
    const char c = text[i];
    if (c == '.') return ++dots > kMostDots;
    if (std::string_view("=[]{},\n").find(c) != std::string_view::npos) dots = 0;
    return false;
  });
}

void check_key_parts(std::string_view text, std::string_view source_name) {
  const std::size_t at = first_dot_past_key_parts(text);
  if (at == std::string_view::npos) return;
  throw ScenarioError(location_of(text, at, source_name),
                      fmt::format("a key of more than {} dotted parts; expected a key of a few parts, such as "
                                  "machine.cores",
                                  kMostKeyParts));
}

}  // namespace gilsim::scenario

// A guard in front of toml++: TOML allows bytes above 0x7f only inside strings and
// comments, and toml++ 3.3 (Debian 12) reaches undefined behaviour on some of them
// elsewhere, so they are refused here first, at their line and column.
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

}  // namespace

std::size_t first_non_ascii_outside_strings(std::string_view text) {
  Lexeme state = Lexeme::Code;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      // A newline ends a comment and a one-line string (an unterminated one is toml++'s to report).
      if (state == Lexeme::Comment || state == Lexeme::Basic || state == Lexeme::Literal) state = Lexeme::Code;
      continue;
    }
    switch (state) {
      case Lexeme::Code:
        if (static_cast<unsigned char>(c) > 0x7f) return i;
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

void check_ascii_outside_strings(std::string_view text, std::string_view source_name) {
  const std::size_t at = first_non_ascii_outside_strings(text);
  if (at == std::string_view::npos) return;
  const std::size_t newline = text.rfind('\n', at);
  const std::size_t line_start = newline == std::string_view::npos ? 0 : newline + 1;
  const auto line = std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n') + 1;
  std::string bytes;
  for (std::size_t j = at; j < text.size() && j < at + 4 && static_cast<unsigned char>(text[j]) > 0x7f; ++j) {
    bytes += fmt::format("{}{:02X}", bytes.empty() ? "" : " ", static_cast<unsigned char>(text[j]));
  }
  throw ScenarioError(SourceLoc{std::string(source_name), static_cast<int>(line), static_cast<int>(at - line_start + 1)},
                      fmt::format("a non-ASCII character (bytes {}) outside a string or a comment; "
                                  "expected ASCII there (write such text inside quotes)",
                                  bytes));
}

}  // namespace gilsim::scenario

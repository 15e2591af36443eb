#include "sim/scenario/unicode_text.hpp"

#include <algorithm>
#include <iterator>

namespace gilsim::scenario {

namespace {

/// The character at `i` of `text` and its length in bytes; length 0 where the bytes there are
/// not valid UTF-8.
struct Decoded {
  char32_t code_point = 0;
  std::size_t length = 0;
};

Decoded decode(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return {lead, 1};
  std::size_t length = 0;
  char32_t value = 0;
  char32_t smallest = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, value = lead & 0x1F, smallest = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, value = lead & 0x0F, smallest = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, value = lead & 0x07, smallest = 0x10000;
  } else {
    return {};
  }
  if (i + length > text.size()) return {};
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return {};
    value = (value << 6) | (byte(i + k) & 0x3F);
  }
  if (value < smallest || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return {};
  return {value, length};
}

bool unsafe(char32_t c) {
  if (c == '\n' || c == '\t' || c == '\r') return false;
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

/// East Asian Wide and Fullwidth characters: each takes two terminal columns.
struct CodeRange {
  char32_t first, last;
};
constexpr CodeRange kWide[] = {
    {0x1100, 0x115F},   {0x2329, 0x232A},   {0x2E80, 0x303E},   {0x3040, 0xA4CF},  {0xAC00, 0xD7A3},
    {0xF900, 0xFAFF},   {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},  {0xFFE0, 0xFFE6},
    {0x1F300, 0x1F64F}, {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

std::size_t columns_of(char32_t c) {
  for (const CodeRange& r : kWide) {
    if (c >= r.first && c <= r.last) return 2;
  }
  return 1;
}

/// Marks that may not start a line: closing punctuation, brackets and quotes, wide
/// ("，", "。", "」") and narrow (",", ")", "…", "”"), and the prolonged sound mark "ー".
bool closes(char32_t c) {
  constexpr char32_t kClosing[] = {')',    ']',    '}',    ',',    '.',    ';',    ':',    '!',    '?',
                                   0x2019, 0x201D, 0x2026, 0x3001, 0x3002, 0x3009, 0x300B, 0x300D, 0x300F,
                                   0x3011, 0x30FC, 0xFF01, 0xFF09, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF1F,
                                   0xFF3D, 0xFF5D};
  return std::find(std::begin(kClosing), std::end(kClosing), c) != std::end(kClosing);
}

/// Marks that may not end a line: opening brackets and quotes ("（", "「", "“", "(").
bool opens(char32_t c) {
  constexpr char32_t kOpening[] = {'(',    '[',    '{',    0x2018, 0x201C, 0x3008, 0x300A,
                                   0x300C, 0x300E, 0x3010, 0xFF08, 0xFF3B, 0xFF5B};
  return std::find(std::begin(kOpening), std::end(kOpening), c) != std::end(kOpening);
}

}  // namespace

std::vector<std::string_view> break_pieces(std::string_view word) {
  std::vector<std::string_view> pieces;
  std::size_t start = 0;
  bool last_wide = false, last_opens = false;
  for (std::size_t i = 0; i < word.size();) {
    const Decoded d = decode(word, i);
    const std::size_t length = d.length == 0 ? 1 : d.length;
    const bool wide = d.length != 0 && columns_of(d.code_point) == 2;
    // A break before a wide character, and after one, unless what comes closes or what went
    // before opens.
    if (i > start && (wide || last_wide) && !last_opens && !(d.length != 0 && closes(d.code_point))) {
      pieces.push_back(word.substr(start, i - start));
      start = i;
    }
    last_wide = wide;
    last_opens = d.length != 0 && opens(d.code_point);
    i += length;
  }
  if (start < word.size()) pieces.push_back(word.substr(start));
  return pieces;
}

std::size_t terminal_columns(std::string_view text) {
  std::size_t columns = 0;
  for (std::size_t i = 0; i < text.size();) {
    const Decoded d = decode(text, i);
    columns += d.length == 0 ? 1 : columns_of(d.code_point);
    i += d.length == 0 ? 1 : d.length;
  }
  return columns;
}

std::string_view first_columns(std::string_view text, std::size_t columns) {
  std::size_t used = 0;
  for (std::size_t i = 0; i < text.size();) {
    const Decoded d = decode(text, i);
    const std::size_t width = d.length == 0 ? 1 : columns_of(d.code_point);
    if (used + width > columns) return text.substr(0, i);
    used += width;
    i += d.length == 0 ? 1 : d.length;
  }
  return text;
}

std::size_t first_invalid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const Decoded d = decode(text, i);
    if (d.length == 0) return i;
    i += d.length;
  }
  return std::string_view::npos;
}

std::optional<UnsafeCharacter> first_unsafe_character(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const Decoded d = decode(text, i);
    if (d.length == 0) {
      ++i;  // not UTF-8: another check's to refuse
      continue;
    }
    if (unsafe(d.code_point)) return UnsafeCharacter{i, d.code_point};
    i += d.length;
  }
  return std::nullopt;
}

}  // namespace gilsim::scenario

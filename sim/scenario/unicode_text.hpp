// What a scenario's text may hold: UTF-8, and no character that would act on a terminal or a
// program rather than be read (controls, the bidirectional overrides of "Trojan source").
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace gilsim::scenario {

/// The index of the first byte of `text` that does not start or continue a valid UTF-8
/// character (overlong forms and surrogates included), or npos.
std::size_t first_invalid_utf8(std::string_view text);

struct UnsafeCharacter {
  std::size_t at = 0;       ///< its first byte's index
  char32_t code_point = 0;  ///< e.g. U+0000, U+001B, U+0085, U+202E
};

/// The first character of valid UTF-8 `text` that a title, a note or a name may not hold: a
/// C0 control other than a line break or a tab, DEL, a C1 control (U+0080 to U+009F), or a
/// bidirectional embedding, override or isolate (U+202A to U+202E, U+2066 to U+2069).
std::optional<UnsafeCharacter> first_unsafe_character(std::string_view text);

/// How many columns UTF-8 `text` takes in a terminal: two for a wide character (Chinese,
/// Japanese, Korean, fullwidth forms, the emoji blocks), one for any other, as {fmt} counts
/// them when it pads ("{:<22}"); a byte that is not UTF-8 counts one.
std::size_t terminal_columns(std::string_view text);

/// `word` (no spaces) in the pieces a line may break between: each wide character alone (Chinese
/// and Japanese prose has no spaces to break at), a run of others whole; a closing mark
/// ("，", "。", "」", "”", ",", "…") stays with the piece before it, never starting a line, and
/// an opening one ("（", "「", "“") with the piece after it, never ending one.
std::vector<std::string_view> break_pieces(std::string_view word);

/// The longest start of `text` that takes at most `columns` terminal columns and ends on a
/// whole character: "下载网页" in 5 columns is "下载", never a character cut in two.
std::string_view first_columns(std::string_view text, std::size_t columns);

}  // namespace gilsim::scenario

// The text checks: UTF-8 that decodes, and the characters a scenario's strings may not hold.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "sim/scenario/unicode_text.hpp"

using namespace gilsim::scenario;
constexpr auto npos = std::string_view::npos;

TEST_CASE("invalid UTF-8 is found at its first byte: stray, cut short, overlong, a surrogate, past U+10FFFF") {
  CHECK(first_invalid_utf8("caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x90\x8d") == npos);  // é, →, a snake
  CHECK(first_invalid_utf8("caf\xe9") == 3);             // Latin-1
  CHECK(first_invalid_utf8("ab\xc3") == 2);              // cut short
  CHECK(first_invalid_utf8("\xc0\xaf") == 0);            // '/' overlong
  CHECK(first_invalid_utf8("x\xed\xa0\x80") == 1);       // U+D800
  CHECK(first_invalid_utf8("\xf4\x90\x80\x80") == 0);    // U+110000
  CHECK(first_invalid_utf8("\x80") == 0);                // a continuation alone
}

TEST_CASE("controls and bidirectional overrides are unsafe; line breaks, tabs and other text are not") {
  CHECK_FALSE(first_unsafe_character("one\ntwo\tthree\r\n caf\xc3\xa9 \xe2\x86\x92"));
  const auto nul = first_unsafe_character(std::string_view("a\0b", 3));
  REQUIRE(nul);
  CHECK(nul->at == 1);
  CHECK(nul->code_point == 0);
  CHECK(first_unsafe_character("\x7f")->code_point == 0x7F);
  CHECK(first_unsafe_character("x\xc2\x85")->code_point == 0x85);        // NEL, a C1 control
  CHECK(first_unsafe_character("ab\xe2\x80\xae")->at == 2);              // U+202E
  CHECK(first_unsafe_character("\xe2\x81\xa6")->code_point == 0x2066);   // an isolate
  CHECK_FALSE(first_unsafe_character("\xe2\x80\xaf"));                   // U+202F, a narrow space
}

TEST_CASE("terminal columns: two for a wide character, as {fmt} pads; a cut never splits a character") {
  CHECK(terminal_columns("caf\u00e9") == 4);
  CHECK(terminal_columns("\u4e0b\u8f7d 1") == 6);  // 下载 1
  CHECK(terminal_columns("\uff21") == 2);          // fullwidth A
  CHECK(terminal_columns("\u303f") == 1);          // the ideographic half fill space is narrow
  CHECK(terminal_columns("\xff") == 1);            // not UTF-8: a byte, a column
  // {fmt}'s padding agrees, so that a name column measured here lines up where it pads.
  for (const char* text : {"caf\u00e9 \u00fcn\u00ef", "\u4e0b\u8f7d\u7f51\u9875", "\u0416 \uac00\ud7a3", "x\U0001F600", "\uff21\uff22"}) {
    const std::string padded = fmt::format("{:<12}|", text);
    CHECK_MESSAGE(terminal_columns(padded) == 13, text);
  }
  CHECK(first_columns("\u4e0b\u8f7d\u7f51\u9875", 5) == "\u4e0b\u8f7d");  // 下载网页 in 5: 下载
  CHECK(first_columns("\u4e0b\u8f7d\u7f51\u9875", 6) == "\u4e0b\u8f7d\u7f51");
  CHECK(first_columns("caf\u00e9 au lait", 4) == "caf\u00e9");
  CHECK(first_columns("abc", 10) == "abc");
  CHECK(first_columns("\u4e0b", 1).empty());
}

TEST_CASE("break pieces: each wide character alone, other runs whole, a closing mark kept with what it closes") {
  using Pieces = std::vector<std::string_view>;
  CHECK(break_pieces("download") == Pieces{"download"});
  CHECK(break_pieces("\u4e0b\u8f7dpage") == Pieces{"\u4e0b", "\u8f7d", "page"});          // 下载page
  CHECK(break_pieces("\u7ebf\u7a0b\u3002\u4e0b") == Pieces{"\u7ebf", "\u7a0b\u3002", "\u4e0b"});  // 线程。下
  CHECK(break_pieces("GIL\uff0c\u7ebf") == Pieces{"GIL\uff0c", "\u7ebf"});               // GIL，线
  CHECK(break_pieces("\u4e0b\u201d\u7136") == Pieces{"\u4e0b\u201d", "\u7136"});  // 下”然: a narrow closing quote
  CHECK(break_pieces("\u4e0b\u2026\u7136") == Pieces{"\u4e0b\u2026", "\u7136"});  // 下…然
  CHECK(break_pieces("\u4e0b,") == Pieces{"\u4e0b,"});
  // An opening mark goes with what it opens: 果（线程） breaks before the bracket, not after it.
  CHECK(break_pieces("\u679c\uff08\u7ebf\u7a0b\uff09") == Pieces{"\u679c", "\uff08\u7ebf", "\u7a0b\uff09"});
  CHECK(break_pieces("\u679c\u201c\u7ebf") == Pieces{"\u679c", "\u201c\u7ebf"});  // 果“线
  CHECK(break_pieces("").empty());
}

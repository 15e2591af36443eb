// The text checks: UTF-8 that decodes, and the characters a scenario's strings may not hold.
#include <doctest/doctest.h>

#include <string_view>

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

// The guard in front of toml++ 3.3: bytes above 0x7f are refused outside strings and
// comments (where toml++ reaches undefined behaviour on some), allowed inside them.
#include <doctest/doctest.h>

#include <string>

#include "sim/scenario/loader.hpp"

using namespace gilsim::scenario;

namespace {

std::string error_of(std::string_view text) {
  try {
    load_string(text, "s.toml");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "no error";
}

constexpr std::string_view kValid = "title = \"t\"\n[[job]]\nname = \"w\"\nsteps = [ { cpu = \"1ms\" } ]\n"
                                    "[[run]]\nexecutor = \"threads\"\n";

}  // namespace

TEST_CASE("a non-ASCII byte where TOML expects whitespace is refused at its line and column") {
  // The two bytes C2 B5 alone made toml++ 3.3 reach TOML_UNREACHABLE.
  CHECK(error_of("\xc2\xb5") ==
        "s.toml:1:1: a non-ASCII character (bytes C2 B5) outside a string or a comment; expected ASCII there "
        "(write such text inside quotes)");
  CHECK(error_of("title = \"t\"\ncores = 4\xc2\xb5\n").rfind("s.toml:2:10: a non-ASCII character (bytes C2 B5)", 0) == 0);
  CHECK(error_of("x = \"\"\"a\"\"\"\"\xc2\xb5").rfind("s.toml:1:13: a non-ASCII", 0) == 0);
}

TEST_CASE("non-ASCII text inside strings and comments is accepted") {
  const std::string text = "# a comment: 5 \xc2\xb5s\nnote = \"\xc2\xb5s \\\" \xc2\xb5\"\n" + std::string(kValid);
  CHECK(load_string(text, "s.toml").note == "\xc2\xb5s \" \xc2\xb5");
  CHECK(load_string("note = '''\n\xc2\xb5 ''' \n" + std::string(kValid), "s.toml").note == "\xc2\xb5 ");
  CHECK(load_string("note = \"\"\"\n\xc2\xb5\\\"\"\"\"\"\"\n" + std::string(kValid), "s.toml").note == "\xc2\xb5\"\"\"");
}

TEST_CASE("a --set value with non-ASCII text is a string, never parsed as TOML") {
  CHECK(load_string(kValid, "s.toml", {{"title", "Caf\xc3\xa9"}}).title == "Caf\xc3\xa9");
  CHECK(load_string(kValid, "s.toml", {{"title", "1\xc2\xb5"}}).title == "1\xc2\xb5");
}

TEST_CASE("a value nested in a --set table is read as strictly as in the file") {
  CHECK(load_string(kValid, "s.toml", {{"machine", "{ cores = 2, quantum = \"5ms\" }"}}).machine.quantum ==
        gilsim::Time{5'000'000});
  try {
    load_string(kValid, "s.toml", {{"machine", "{ cores = 2, quantum = 5 }"}});
    FAIL("expected a ScenarioError");
  } catch (const ScenarioError& e) {
    CHECK(std::string(e.what()) ==
          "--set machine={ cores = 2, quantum = 5 }: 'quantum' is the number 5 without a unit; expected a string "
          "such as \"5ms\" (units: ns, us, ms, s)");
  }
}

TEST_CASE("error messages show control characters as escapes") {
  CHECK(printable("a\nb\t\x1b[31m\x7f") == "a\\nb\\t\\x1b[31m\\x7f");
  CHECK(error_of(std::string(kValid) + "[[run]]\nexecutor = \"x\\u001b\"\n").find("'x\\x1b'") != std::string::npos);
}

// Every `--set '...'` that a lesson's note tells the class to try is a valid override of
// that lesson: a suggestion on the board must not end in an error.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "sim/scenario/loader.hpp"

namespace fs = std::filesystem;
using namespace gilsim;

TEST_CASE("every --set a lesson's note suggests loads") {
  int suggestions = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(GILSIM_SOURCE_DIR) / "scenarios")) {
    if (entry.path().extension() != ".toml") continue;
    const scenario::Scenario s = scenario::load_file(entry.path());
    const std::string_view key = "--set '";
    for (std::size_t at = s.note.find(key); at != std::string::npos; at = s.note.find(key, at + 1)) {
      const std::size_t begin = at + key.size();
      const std::size_t end = s.note.find('\'', begin);
      REQUIRE(end != std::string::npos);
      const std::string text = s.note.substr(begin, end - begin);
      CAPTURE(entry.path().filename().string());
      CAPTURE(text);
      CHECK_NOTHROW(scenario::load_file(entry.path(), {scenario::parse_override(text)}));
      ++suggestions;
    }
  }
  CHECK(suggestions >= 3);
}

// Naming a bundled lesson the short way, from any folder.
#include <doctest/doctest.h>

#include <fstream>

#include "sim/scenario/bundled_names.hpp"
#include "sim/scenario/loader.hpp"
#include "tests/temp_folder.hpp"

using gilsim::scenario::resolve_scenario_name;
namespace fs = std::filesystem;

namespace {
const std::vector<fs::path> kBundled = {"/opt/lessons/01-cpu-bound.toml", "/opt/lessons/07-convoy.toml",
                                        "/opt/lessons/20-sweep-pool-size.toml", "/opt/lessons/20-sweep-other.toml",
                                        "/opt/lessons/default.toml"};
}

TEST_CASE("a bundled lesson answers to its file name, its name and its number") {
  CHECK(resolve_scenario_name("07-convoy.toml", kBundled) == "/opt/lessons/07-convoy.toml");
  CHECK(resolve_scenario_name("07-convoy", kBundled) == "/opt/lessons/07-convoy.toml");
  CHECK(resolve_scenario_name("07", kBundled) == "/opt/lessons/07-convoy.toml");
  CHECK(resolve_scenario_name("7", kBundled) == "/opt/lessons/07-convoy.toml");
  CHECK(resolve_scenario_name("1", kBundled) == "/opt/lessons/01-cpu-bound.toml");
  CHECK(resolve_scenario_name("default", kBundled) == "/opt/lessons/default.toml");
}

TEST_CASE("an argument no single bundled file answers to is kept as written") {
  CHECK(resolve_scenario_name("20", kBundled) == "20");  // two lessons are numbered 20
  CHECK(resolve_scenario_name("0", kBundled) == "0");    // a number is whole: 0 is not 07
  CHECK(resolve_scenario_name("70", kBundled) == "70");
  CHECK(resolve_scenario_name("07-", kBundled) == "07-");
  CHECK(resolve_scenario_name("convoy", kBundled) == "convoy");
  CHECK(resolve_scenario_name("lessons/07-convoy.toml", kBundled) == "lessons/07-convoy.toml");  // a path
  CHECK(resolve_scenario_name("", kBundled).empty());
}

TEST_CASE("a file that exists is taken before a bundled one of the same name") {
  const gilsim::testing::TempFolder folder("bundled_names");
  const fs::path here = folder.path() / "07-convoy.toml";
  std::ofstream(here) << "title = \"mine\"\n";
  CHECK(resolve_scenario_name(here.string(), kBundled) == here.string());
}

TEST_CASE("the bundled lessons: each found by its name, and lesson 07 by its number, loads") {
  const auto bundled = gilsim::scenario::bundled_scenarios();
  REQUIRE(bundled.size() >= 18);
  for (const fs::path& file : bundled) {
    CAPTURE(file);
    CHECK(resolve_scenario_name(file.stem().string()) == file.string());
  }
  const std::string convoy = resolve_scenario_name("07");
  CHECK(fs::path(convoy).filename() == "07-convoy.toml");
  CHECK(gilsim::scenario::load_file(convoy).title.rfind("07 ", 0) == 0);
}

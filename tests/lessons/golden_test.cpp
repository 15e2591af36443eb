// Every bundled scenario against its reviewed golden summary in tests/golden/. With
// GILSIM_UPDATE_GOLDEN=1 the files are rewritten instead (scripts/update-golden.sh).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "golden_summary.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/trace/atomic_file.hpp"
#include "tests/text_files.hpp"

namespace fs = std::filesystem;
using namespace gilsim;

namespace {

std::vector<fs::path> scenario_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(fs::path(GILSIM_SOURCE_DIR) / "scenarios")) {
    if (entry.path().extension() == ".toml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

fs::path golden_path(const fs::path& scenario_file) {
  return fs::path(GILSIM_SOURCE_DIR) / "tests" / "golden" / (scenario_file.stem().string() + ".txt");
}

using gilsim::testing::read_text;

bool updating() {
  const char* flag = std::getenv("GILSIM_UPDATE_GOLDEN");
  return flag != nullptr && std::string(flag) == "1";
}

}  // namespace

TEST_CASE("every bundled scenario simulates to its golden summary") {
  const auto files = scenario_files();
  REQUIRE(files.size() >= 14);  // the thirteen lessons and the default scenario
  for (const auto& file : files) {
    const std::string name = file.filename().string();
    CAPTURE(name);
    const auto actual = lessons::summarise(scenario::load_file(file));
    const fs::path golden = golden_path(file);
    if (updating()) {
      trace::write_file_atomically(golden, [&](std::ostream& out) { out << lessons::write_golden(name, actual); });
      MESSAGE("wrote " << golden.string());
      continue;
    }
    if (!fs::exists(golden)) {
      FAIL_CHECK(fmt::format("{}: no golden file {}; run scripts/update-golden.sh and review it", name,
                             golden.string()));
      continue;
    }
    const auto differences = lessons::compare_golden(lessons::read_golden(read_text(golden)), actual);
    for (const auto& difference : differences) FAIL_CHECK(fmt::format("{}: {}", name, difference));
  }
}

TEST_CASE("no golden file is left without its scenario") {
  for (const auto& entry : fs::directory_iterator(fs::path(GILSIM_SOURCE_DIR) / "tests" / "golden")) {
    if (entry.is_directory()) continue;  // events/: the event logs, checked by event_log_test.cpp
    const fs::path scenario = fs::path(GILSIM_SOURCE_DIR) / "scenarios" / (entry.path().stem().string() + ".toml");
    CHECK_MESSAGE(fs::exists(scenario), entry.path().filename().string() << " has no scenario " << scenario.string());
  }
}

TEST_CASE("a golden summary reads back as written") {
  const std::vector<lessons::GoldenRun> runs{{"4 threads", {{"makespan_ns", 1'003'000'000}, {"jobs_done", 4}}},
                                             {"pool", {{"makespan_ns", 270'000'000}, {"jobs_done", 4}}}};
  const auto text = lessons::write_golden("x.toml", runs);
  CHECK(lessons::compare_golden(lessons::read_golden(text), runs).empty());
  CHECK_THROWS_WITH(lessons::read_golden("[a]\nmakespan_ns = soon\n"), "line 2: 'soon' is not a whole number");
  CHECK_THROWS_WITH(lessons::read_golden("makespan_ns = 1\n"),
                    "line 1: expected '[run name]' or 'key = value', got 'makespan_ns = 1'");
}

TEST_CASE("a changed figure is reported with the run, the field and both values") {
  const std::vector<lessons::GoldenRun> expected{{"threads", {{"makespan_ns", 100}, {"gil_switches", 3}}},
                                                 {"gone", {{"makespan_ns", 1}}}};
  const std::vector<lessons::GoldenRun> actual{{"threads", {{"makespan_ns", 90}, {"gil_switches", 3}}},
                                               {"new", {{"makespan_ns", 1}}}};
  const auto differences = lessons::compare_golden(expected, actual);
  REQUIRE(differences.size() == 3);
  CHECK(differences[0] == "run 'threads': makespan_ns expected 100, got 90 (-10)");
  CHECK(differences[1] == "run 'gone': expected, but the scenario has no such run");
  CHECK(differences[2] == "run 'new': new in the scenario, not in the golden file");
}

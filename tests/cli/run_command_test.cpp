// `gilsim run` as a whole, in-process: what it accepts and refuses, and what it prints
// beside the reports.
#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include <doctest/doctest.h>

#include "sim/cli/run_command.hpp"
#include "sim/cli/run_selection.hpp"
#include "sim/model/work_budget.hpp"
#include "sim/scenario/loader.hpp"
#include "tests/temp_folder.hpp"

using namespace gilsim;

namespace {

/// `text` written to `name` in `folder`, its path.
std::string write_scenario(const testing::TempFolder& folder, const std::string& name, const std::string& text) {
  const auto path = folder.path() / name;
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace

TEST_CASE("--max-events holds each run to the limit on its own, as the viewer does, not the runs' total") {
  // Two runs of the same work: each fits a limit of the larger estimate, their total does not.
  // The viewer (model::simulate_all) checks each run against its limit; `gilsim run` once
  // added the runs up and refused a file the viewer opened.
  const std::string text =
      "title = \"t\"\n[python]\nswitch_interval = \"1ms\"\n[[job]]\nname = \"w\"\ncount = 4\n"
      "steps = [ { cpu = \"20ms\" } ]\n[[run]]\nname = \"threads\"\nexecutor = \"threads\"\n"
      "[[run]]\nname = \"one by one\"\nexecutor = \"sequential\"\n";
  const testing::TempFolder folder("gilsim_run_command");
  const std::string file = write_scenario(folder, "two.toml", text);
  const scenario::Scenario s = scenario::load_file(file);
  const std::uint64_t first = model::estimate_work(s, s.runs[0]).events;
  const std::uint64_t second = model::estimate_work(s, s.runs[1]).events;
  const std::uint64_t larger = std::max(first, second);
  REQUIRE(first + second > larger);

  cli::RunOptions options;
  options.files = {file};
  options.timelines = false;
  options.width = 100;
  options.max_events = larger;
  std::ostringstream out;
  CHECK(cli::run_scenarios(options, out) == 0);
  CHECK(out.str().find("one by one") != std::string::npos);

  // Below the larger run's estimate, that run is named, with the limit for one run and the option.
  options.max_events = larger - 1;
  const std::string larger_name = first >= second ? "threads" : "one by one";
  try {
    cli::run_scenarios(options, out);
    FAIL("expected WorkLimitExceeded");
  } catch (const model::WorkLimitExceeded& e) {
    const std::string what = e.what();
    CHECK(what.rfind("run '" + larger_name + "' would take about ", 0) == 0);
    CHECK(what.find("above the limit of " + std::to_string(larger - 1) + " events for one run;") != std::string::npos);
    CHECK(what.find("other run") == std::string::npos);  // the smaller one fits
    CHECK(what.find("--max-events N") != std::string::npos);
  }
  // Below both: the larger is named, and the other counted.
  options.max_events = std::min(first, second) - 1;
  CHECK_THROWS_WITH_AS(cli::run_scenarios(options, out), doctest::Contains("events for one run (1 other run is over it too);"),
                       model::WorkLimitExceeded);
}

TEST_CASE("a --set that changes what a run's name states labels the run with the value in force") {
  const std::string source = std::string(GILSIM_SOURCE_DIR) + "/scenarios/";
  cli::RunOptions options;
  options.files = {source + "17-big-results.toml"};
  options.timelines = true;
  options.width = 120;
  options.overrides = {"workers=2"};
  std::ostringstream out;
  REQUIRE(cli::run_scenarios(options, out) == 0);
  const std::string text = out.str();
  INFO(text);
  CHECK(text.find("\npool of 4 (now 2 workers)  process_pool") != std::string::npos);  // the table's row
  CHECK(text.find("\npool of 4 (now 2 workers) (process_pool, 4 cores, finished at") != std::string::npos);  // the timeline
  CHECK(text.find("\npool of 4  ") == std::string::npos);
  // Without the --set, or a --set that leaves the pool's size as the name says, the name alone.
  for (const std::vector<std::string>& sets : {std::vector<std::string>{}, std::vector<std::string>{"workers=4"},
                                               std::vector<std::string>{"cores=2"}}) {
    options.overrides = sets;
    std::ostringstream plain;
    REQUIRE(cli::run_scenarios(options, plain) == 0);
    CHECK(plain.str().find("\npool of 4  ") != std::string::npos);
    CHECK(plain.str().find("\npool of 4 (process_pool, ") != std::string::npos);  // the timeline, named alone
  }
  // The words themselves: tests/scenario/value_in_force_test.cpp.
}

TEST_CASE("several scenarios' exported runs stay apart: file name, then folder, then a number") {
  const auto named = [](std::initializer_list<const char*> sources) {
    std::vector<scenario::Scenario> scenarios;
    for (const char* source : sources) {
      scenarios.emplace_back();
      scenarios.back().source = source;
    }
    return cli::export_prefixes(scenarios);
  };
  CHECK(named({"scenarios/default.toml", "x/01-cpu-bound.toml"}) == std::vector<std::string>{"default", "01-cpu-bound"});
  CHECK(named({"before/s.toml", "after/s.toml"}) == std::vector<std::string>{"before/s", "after/s"});
  CHECK(named({"a/s.toml", "a/s.toml", "b/s.toml"}) == std::vector<std::string>{"a/s", "a/s #2", "b/s"});
  CHECK(named({"s.toml", "s.toml"}) == std::vector<std::string>{"s", "s #2"});
  // Two files whose folders share a name too: as many folders as tell them apart.
  CHECK(named({"x/a/s.toml", "y/a/s.toml"}) == std::vector<std::string>{"x/a/s", "y/a/s"});
  CHECK(named({"x/a/s.toml", "y/a/s.toml", "z/t.toml"}) == std::vector<std::string>{"x/a/s", "y/a/s", "t"});
  // One file by two paths is one file, told apart from another of its name by its folder.
  const testing::TempFolder folder("gilsim-export-names");
  const std::filesystem::path dir = folder.path();
  std::filesystem::create_directories(dir / "a");
  std::filesystem::create_directories(dir / "b");
  std::ofstream(dir / "a" / "s.toml") << "x";
  std::ofstream(dir / "b" / "s.toml") << "x";
  const std::string a = (dir / "a" / "s.toml").string(), a_again = (dir / "b" / ".." / "a" / "s.toml").string(),
                    b = (dir / "b" / "s.toml").string();
  CHECK(named({a.c_str(), a_again.c_str(), b.c_str()}) == std::vector<std::string>{"a/s", "a/s #2", "b/s"});
}

// The whole command in-process: arguments in, text and an exit code out.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "sim/cli/cli_app.hpp"

namespace {

struct Result {
  int code;
  std::string out;
  std::string err;
};

Result run_gilsim(std::vector<const char*> args) {
  args.insert(args.begin(), "gilsim");
  std::ostringstream out, err;
  const int code = gilsim::cli::run_cli(static_cast<int>(args.size()), args.data(), out, err);
  return {code, out.str(), err.str()};
}

const std::string kMisspelt = std::string(GILSIM_SOURCE_DIR) + "/tests/cli/data/misspelt_key.toml";

}  // namespace

TEST_CASE("help is complete and documents the exit codes") {
  const Result r = run_gilsim({"--help"});
  CHECK(r.code == 0);
  CHECK(r.out.find("run") != std::string::npos);
  CHECK(r.out.find("list") != std::string::npos);
  CHECK(r.out.find("Exit codes: 0 success; 2 bad input") != std::string::npos);
  const Result run_help = run_gilsim({"run", "--help"});
  CHECK(run_help.code == 0);
  for (const char* option : {"--set", "--run", "--export-trace", "--csv", "--width", "--no-timeline"}) {
    CHECK_MESSAGE(run_help.out.find(option) != std::string::npos, option);
  }
  // Each help says each exit code once: sweep's interrupted sweep writes nothing.
  const Result sweep_help = run_gilsim({"sweep", "--help"});
  CHECK(sweep_help.code == 0);
  CHECK(sweep_help.out.find("130 interrupted (Ctrl-C), nothing written.") != std::string::npos);
  CHECK(sweep_help.out.find("130 interrupted") == sweep_help.out.rfind("130 interrupted"));
  CHECK(run_help.out.find("130 interrupted (Ctrl-C).") != std::string::npos);
}

TEST_CASE("the default scenario prints a table and timelines, the same every time") {
  const Result first = run_gilsim({"run", "--width", "100"});
  CHECK(first.code == 0);
  CHECK(first.err.empty());
  CHECK(first.out.find("Fetch and parse") != std::string::npos);
  CHECK(first.out.find("\nsequential ") != std::string::npos);
  CHECK(first.out.find("GIL held by:") != std::string::npos);
  CHECK(run_gilsim({"run", "--width", "100"}).out == first.out);
  CHECK(run_gilsim({}).out.find("Fetch and parse") != std::string::npos);
}

TEST_CASE("--run and --no-timeline narrow the report") {
  const Result r = run_gilsim({"run", "--no-timeline", "--run", "threads"});
  CHECK(r.code == 0);
  CHECK(r.out.find('|') == std::string::npos);
  CHECK(r.out.find("\nthreads ") != std::string::npos);
  CHECK(r.out.find("\nasyncio ") == std::string::npos);
}

TEST_CASE("bad input exits with 2 and says where") {
  SUBCASE("a scenario file with a mistake") {
    const Result r = run_gilsim({"run", kMisspelt.c_str()});
    CHECK(r.code == 2);
    CHECK(r.err.starts_with(kMisspelt + ":5:1: "));
    CHECK(r.out.empty());
  }
  SUBCASE("a --set without '='") {
    const Result r = run_gilsim({"run", "--set", "cores"});
    CHECK(r.code == 2);
    CHECK(r.err.starts_with("--set"));
  }
  SUBCASE("a width too narrow to draw") { CHECK(run_gilsim({"run", "--width", "10"}).code == 2); }
  SUBCASE("a number option given no whole number says what it expected") {
    for (const char* bad : {"abc", "50.5", "-1", "60 ", "99999999999999999999999"}) {
      const Result r = run_gilsim({"run", "--width", bad});
      CHECK(r.code == 2);
      CHECK_MESSAGE(r.err.starts_with(std::string("--width: '") + bad + "' is not a whole number from 40 to 100000"),
                    r.err);
      CHECK(r.out.empty());
    }
    CHECK(run_gilsim({"run", "--width", " 60", "--no-timeline"}).code == 0);
    const Result seeds = run_gilsim({"sweep", "--vary", "workers=1..2", "--seeds", "0"});
    CHECK(seeds.code == 2);
    CHECK_MESSAGE(seeds.err.starts_with("--seeds: '0' is not a whole number from 1 to 1000"), seeds.err);
  }
  SUBCASE("an unknown subcommand or option") { CHECK(run_gilsim({"frobnicate"}).code == 2); }
  SUBCASE("words a command does not take are named in the order given, an option with the command it is of") {
    // CLI11 said "the following arguments were not expected: 5 --max-events", last first.
    const Result sweep = run_gilsim({"sweep", "01", "--vary", "workers=1..2", "--max-events", "5"});
    CHECK(sweep.code == 2);
    CHECK(sweep.err == "gilsim: --max-events is not an option of `gilsim sweep`, but of `gilsim run` (given: "
                       "--max-events 5); see `gilsim sweep --help`\n");
    const Result python = run_gilsim({"python", "01", "02"});
    CHECK(python.code == 2);
    CHECK(python.err == "gilsim: '02' was not expected (given: 02); see `gilsim python --help`\n");
    // After `--`, which CLI11 hands back to gilsim itself: the word still named.
    CHECK(run_gilsim({"python", "01", "--", "02"}).err ==
          "gilsim: '02' was not expected (given: 02); see `gilsim python --help`\n");
  }
  SUBCASE("a run that does not exist") {
    const Result r = run_gilsim({"run", "--run", "nope"});
    CHECK(r.code == 2);
    CHECK(r.err == "gilsim: <default>: no run named 'nope'; its runs are 'sequential', 'threads', 'asyncio', "
                   "'process pool'\n");
  }
}

TEST_CASE("list shows the built-in scenario and the bundled files") {
  const Result r = run_gilsim({"list"});
  CHECK(r.code == 0);
  CHECK(r.out.find("(built in)") != std::string::npos);
  CHECK(r.out.find("Bundled scenarios in ") != std::string::npos);
  CHECK(r.out.find("\n07-convoy  ") != std::string::npos);  // the name to type, not a path
  CHECK(r.out.find(".toml  ") == std::string::npos);
}

TEST_CASE("a bundled lesson runs by its name or its number, from any folder") {
  const Result by_name = run_gilsim({"run", "07-convoy", "--no-timeline"});
  CHECK(by_name.code == 0);
  CHECK(by_name.out.find("07 The convoy effect") != std::string::npos);
  const Result by_number = run_gilsim({"python", "07"});
  CHECK(by_number.code == 0);
  CHECK(by_number.out.find("07 The convoy effect") != std::string::npos);
  const Result nothing = run_gilsim({"run", "convoy", "--no-timeline"});  // no file, no lesson so named
  CHECK(nothing.code == 2);
  CHECK(nothing.err.find("convoy: cannot open the file") != std::string::npos);
}

TEST_CASE("a real run writes no progress line ('\\r') to a stream that is not the terminal") {
  const std::string tiny = std::string(GILSIM_SOURCE_DIR) + "/tests/cli/data/tiny_real.toml";
  const Result r = run_gilsim({"run", tiny.c_str(), "--real-only", "--run", "threads", "--no-timeline"});
  CHECK(r.code == 0);
  CHECK(r.err.find('\r') == std::string::npos);
  CHECK(r.err.find("measuring") == std::string::npos);
}

TEST_CASE("each help's exit codes name only that command's options") {
  const std::string python = run_gilsim({"python", "--help"}).out;
  const std::string sweep = run_gilsim({"sweep", "--help"}).out;
  const std::string run = run_gilsim({"run", "--help"}).out;
  const std::string list = run_gilsim({"list", "--help"}).out;
  const auto exit_codes = [](const std::string& help) { return help.substr(help.find("Exit codes:")); };
  CHECK(exit_codes(python).find("--vary") == std::string::npos);
  CHECK(exit_codes(python).find("--max-events") == std::string::npos);
  CHECK(exit_codes(python).find("130") == std::string::npos);  // Ctrl-C ends it the ordinary way
  CHECK(exit_codes(sweep).find("--max-events") == std::string::npos);
  CHECK(exit_codes(sweep).find("10,000 simulations") != std::string::npos);
  CHECK(exit_codes(run).find("--vary") == std::string::npos);
  CHECK(exit_codes(run).find("--max-events") != std::string::npos);
  CHECK(exit_codes(list).find("scenario file") == std::string::npos);
}

TEST_CASE("the lines under the table keep to the width, as the note and the table do") {
  const std::string deadlock = std::string(GILSIM_SOURCE_DIR) + "/scenarios/16-deadlock.toml";
  const Result r = run_gilsim({"run", deadlock.c_str(), "--width", "60"});
  CHECK(r.code == 0);
  CHECK(r.out.find("threads: deadlock at") != std::string::npos);
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("(/")) CHECK_MESSAGE(line.size() <= 60, line);  // not the file's absolute path
  }
}

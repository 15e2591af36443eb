// `gilsim run --cpython`: the simulated twin on this machine's cores beside the measured
// wall times of the generated program.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "sim/cli/cli_app.hpp"

namespace fs = std::filesystem;
using namespace gilsim;

namespace {

fs::path small_scenario() {
  const fs::path path = fs::path(GILSIM_BINARY_DIR) / "tests" / "lessons" / "cpython_small.toml";
  fs::create_directories(path.parent_path());
  std::ofstream(path) << R"(title = "Two small jobs"
[machine]
cores = 64
[[job]]
name = "work"
count = 2
steps = [ { cpu = "20ms" }, { io = "10ms" } ]
[[run]]
executor = "sequential"
[[run]]
executor = "threads"
[[run]]
name = "free-threaded"
executor = "threads"
gil = "none"
)";
  return path;
}

int run(std::vector<std::string> args, std::ostringstream& out, std::ostringstream& err) {
  std::vector<const char*> argv{"gilsim"};
  for (const auto& a : args) argv.push_back(a.c_str());
  return cli::run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
}

}  // namespace

TEST_CASE("--cpython prints the model on this machine's cores beside the measured times") {
  std::ostringstream out;
  std::ostringstream err;
  const int status = run({"run", "--cpython", "--no-timeline", small_scenario().string()}, out, err);
  INFO(out.str() << err.str());
  REQUIRE(status == cli::kExitOk);
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  const std::string text = out.str();
  CHECK(text.find(fmt::format("the model above ran with --set cores={} (the scenario asks for 64 cores", cores)) !=
        std::string::npos);
  const std::regex table(
      "run +model +CPython +error\n-+\n"
      "sequential +[0-9.]+ s +[0-9.]+ s +[-+][0-9]+%\n"
      "threads +[0-9.]+ s +[0-9.]+ s +[-+][0-9]+%\n"
      "free-threaded +[0-9.]+ s +(skipped +-|[0-9.]+ s +[-+][0-9]+%)\n"
      "(Note: other programs kept this machine busy \\(load average up to [0-9.]+ on [0-9]+ cores\\); .*\n)?$");
  CHECK(std::regex_search(text, table));
}

TEST_CASE("--cpython refuses the exports, which would hold the model's runs only") {
  std::ostringstream out;
  std::ostringstream err;
  CHECK(run({"run", "--cpython", "--csv", "x.csv"}, out, err) == cli::kExitBadInput);
  CHECK(err.str().find("--cpython prints a comparison") != std::string::npos);
}

// Loading valid scenarios: the built-in default, every bundled file, and the defaults that
// fill whatever a file leaves out.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/scenario/loader.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::scenario;

namespace {
constexpr std::string_view kMinimal = R"(
title = "minimal"
[[job]]
name = "work"
steps = [ { cpu = "10ms" } ]
[[run]]
executor = "threads"
)";
}  // namespace

TEST_CASE("the built-in default scenario loads with every field filled") {
  const Scenario s = load_default();
  CHECK(s.title == "Fetch and parse: four ways to do four jobs");
  CHECK(s.note.find("Ask the class first") != std::string::npos);
  CHECK(s.source == "<default>");
  CHECK(s.seed == 1);
  CHECK(s.machine.cores == 4);
  CHECK(s.python.version == PythonVersion{3, 12, false});
  CHECK(s.python.gil == GilMode::New);
  REQUIRE(s.jobs.size() == 1);
  CHECK(s.jobs[0].name == "page");
  CHECK(s.jobs[0].count == 4);
  CHECK(s.jobs[0].where.file == "<default>");
  CHECK(s.jobs[0].where.line == 21);
  REQUIRE(s.jobs[0].steps.size() == 2);
  CHECK(s.jobs[0].steps[0].kind == StepKind::Io);
  CHECK(s.jobs[0].steps[0].duration.a == 80_ms);
  CHECK(s.jobs[0].steps[1].kind == StepKind::Cpu);
  CHECK(s.jobs[0].steps[1].duration.a == 40_ms);
  REQUIRE(s.runs.size() == 4);
  CHECK(s.runs[0].name == "sequential");
  CHECK(s.runs[0].executor == Executor::Sequential);
  CHECK(s.runs[1].executor == Executor::Threads);
  CHECK(s.runs[2].executor == Executor::Asyncio);
  CHECK(s.runs[3].name == "process pool");
  CHECK(s.runs[3].executor == Executor::ProcessPool);
  CHECK(s.runs[3].where.line == 38);
  CHECK(s.runs[3].where.column == 1);
}

TEST_CASE("the default scenario file on disk is the one compiled in") {
  const Scenario from_disk = load_file(std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios" / "default.toml");
  const Scenario built_in = load_default();
  CHECK(from_disk.title == built_in.title);
  CHECK(from_disk.note == built_in.note);
  CHECK(from_disk.runs.size() == built_in.runs.size());
  CHECK(from_disk.source.find("default.toml") != std::string::npos);
}

TEST_CASE("every bundled scenario file loads") {
  const auto files = bundled_scenarios();
  REQUIRE(!files.empty());
  CHECK(std::is_sorted(files.begin(), files.end()));
  bool has_default = false;
  for (const auto& file : files) {
    CAPTURE(file.string());
    CHECK(file.extension() == ".toml");
    has_default = has_default || file.filename() == "default.toml";
    Scenario s;
    CHECK_NOTHROW(s = load_file(file));
    CHECK(!s.title.empty());
    CHECK(!s.jobs.empty());
    CHECK(!s.runs.empty());
  }
  CHECK(has_default);
}

TEST_CASE("a minimal file gets every default of scenario.hpp") {
  const Scenario s = load_string(kMinimal, "minimal.toml");
  const Machine machine;
  const Costs costs;
  CHECK(s.source == "minimal.toml");
  CHECK(s.note.empty());
  CHECK(s.seed == 1);
  CHECK(s.machine.cores == 4);
  CHECK(s.machine.quantum == 3_ms);
  CHECK(s.machine.context_switch == 3_us);
  CHECK(s.machine.placement == Placement::PerCpu);  // Linux places threads per CPU (S1)
  CHECK(machine.quantum == s.machine.quantum);
  CHECK(s.python.version == PythonVersion{3, 12, false});
  CHECK(s.python.gil == GilMode::New);
  CHECK(s.python.switch_interval == 5_ms);
  CHECK(s.python.check_interval == 100);
  CHECK(s.python.free_threading_overhead == doctest::Approx(0.08));
  CHECK(s.costs.wake_poll_max == costs.wake_poll_max);
  CHECK(s.costs.handoff_refill == costs.handoff_refill);
  CHECK(s.costs.ipc_bandwidth == costs.ipc_bandwidth);
  CHECK(s.costs.loop_callback == 20_us);
  REQUIRE(s.jobs.size() == 1);
  CHECK(s.jobs[0].count == 1);
  CHECK(s.jobs[0].arg_bytes == 100);
  CHECK(s.jobs[0].result_bytes == 100);
  CHECK(s.jobs[0].where.line == 3);
  REQUIRE(s.runs.size() == 1);
  CHECK(s.runs[0].name == "threads");  // the executor's name when none is given
  CHECK(!s.runs[0].workers);
  CHECK(!s.runs[0].start_method);
  CHECK(!s.runs[0].chunksize);
  CHECK(!s.runs[0].gil);
  CHECK(!s.runs[0].switch_interval);
  CHECK(!s.runs[0].cores);
}

TEST_CASE("the examples in docs/scenario-format.md load") {
  std::ifstream in(std::filesystem::path(GILSIM_SOURCE_DIR) / "docs" / "scenario-format.md");
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  int examples = 0;
  for (std::size_t at = doc.find("```toml\n"); at != std::string::npos; at = doc.find("```toml\n", at)) {
    at += 8;
    const std::size_t end = doc.find("```", at);
    REQUIRE(end != std::string::npos);
    CAPTURE(examples);
    CHECK_NOTHROW(load_string(doc.substr(at, end - at), "example.toml"));
    ++examples;
  }
  CHECK(examples >= 2);
}

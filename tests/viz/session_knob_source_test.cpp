// A knob change applies the knob to the scenario loaded, not to the file as it is on disk
// now: the file deleted or edited after loading leaves a knob change's runs as they were;
// the edit is the reload's to bring in (once a second, with the knobs in force), as before.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"
#include "tests/same_runs.hpp"
#include "tests/temp_folder.hpp"
#include "viz/session.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using namespace std::chrono_literals;

namespace {

const std::string kScenario = R"(title = "two threads"
[machine]
cores = 2
[[job]]
name = "spin"
count = 2
steps = [ { cpu = "3ms" }, { io = "1ms" }, { cpu = "2ms" } ]
[[run]]
executor = "sequential"
[[run]]
executor = "threads"
)";

void write(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary) << text;
}

/// The runs of kScenario read with `knobs`, as a fresh simulation gives them.
std::vector<trace::Trace> expected_runs(const std::filesystem::path& file, const Knobs& knobs) {
  return model::simulate_all(scenario::load_string(kScenario, file.string(), knobs.overrides()));
}

void finish_background(Session& s) {
  while (s.simulating() && !s.background_ready()) std::this_thread::sleep_for(1ms);
  s.poll(0);
}

}  // namespace

TEST_CASE("a knob change does not read the file again: deleted after loading, the change still comes in") {
  const testing::TempFolder folder("gilsim_knob_source");
  const auto file = folder.path() / "s.toml";
  write(file, kScenario);
  Session s;
  REQUIRE(s.open(file));
  std::filesystem::remove(file);
  Knobs k;
  k.cores = 1;
  REQUIRE(s.set_knobs(k));
  CHECK(s.error().empty());
  CHECK(test::first_difference(s.runs(), expected_runs(file, k)) == "");
  k.switch_interval = Time{1'000'000};
  s.set_knobs_in_background(k);
  finish_background(s);
  CHECK(s.error().empty());
  CHECK(s.knobs() == k);
  CHECK(test::first_difference(s.runs(), expected_runs(file, k)) == "");
}

TEST_CASE("a knob change applies to the version loaded; the reload brings an edit in, with the knobs in force") {
  const testing::TempFolder folder("gilsim_knob_source");
  const auto file = folder.path() / "s.toml";
  write(file, kScenario);
  Session s;
  REQUIRE(s.open(file));
  // The same file with three jobs, its modification time moved on (the watch compares it).
  std::string edited = kScenario;
  edited.replace(edited.find("count = 2"), 9, "count = 3");
  const auto before = std::filesystem::last_write_time(file);
  write(file, edited);
  std::filesystem::last_write_time(file, before + 2s);
  Knobs k;
  k.cores = 1;
  s.set_knobs_in_background(k);
  finish_background(s);
  CHECK(s.error().empty());
  CHECK(s.scenario().jobs.at(0).count == 2);
  CHECK(test::first_difference(s.runs(), expected_runs(file, k)) == "");
  // The watch still sees the edit and reloads it with the knobs in force.
  REQUIRE(s.poll(1.5));
  CHECK(s.scenario().jobs.at(0).count == 3);
  CHECK(s.scenario().machine.cores == 1);
  CHECK(s.knobs() == k);
}

TEST_CASE("a knob that leaves the jobs takes the jobs shown as they were; the runs are a fresh simulation's") {
  const testing::TempFolder folder("gilsim_knob_source");
  const auto file = folder.path() / "s.toml";
  write(file, kScenario);
  Session s;
  REQUIRE(s.open(file));
  CHECK_FALSE(s.last_jobs_kept());
  const scenario::Step* opened = s.scenario().jobs.at(0).steps.data();
  Knobs k;
  k.cores = 1;
  s.set_knobs_in_background(k);
  finish_background(s);
  CHECK(s.last_jobs_kept());
  CHECK(test::first_difference(s.runs(), expected_runs(file, k)) == "");
  k.switch_interval = Time{1'000'000};
  REQUIRE(s.set_knobs(k));
  CHECK(s.last_jobs_kept());
  // The two storages take turns: the scenario shown's, and the spare copied beside the open.
  CHECK(s.scenario().jobs.at(0).steps.data() == opened);
  CHECK(test::first_difference(s.runs(), expected_runs(file, k)) == "");
  // The jobs knob reaches the jobs: read anew, and the next change takes those.
  k.jobs = 3;
  s.set_knobs_in_background(k);
  finish_background(s);
  CHECK_FALSE(s.last_jobs_kept());
  CHECK(s.scenario().jobs.at(0).count == 3);
  CHECK(test::first_difference(s.runs(), expected_runs(file, k)) == "");
  k.cores = 2;
  s.set_knobs_in_background(k);
  finish_background(s);
  CHECK_FALSE(s.last_jobs_kept());  // knobs of the jobs: never taken (load_string_with_jobs)
  CHECK(test::first_difference(s.runs(), expected_runs(file, k)) == "");
  k.jobs.reset();
  s.set_knobs_in_background(k);
  finish_background(s);
  CHECK_FALSE(s.last_jobs_kept());  // read with the jobs knob: not these jobs
  k.cores = 1;
  s.set_knobs_in_background(k);
  finish_background(s);
  CHECK(s.last_jobs_kept());
  CHECK(test::first_difference(s.runs(), expected_runs(file, k)) == "");
}

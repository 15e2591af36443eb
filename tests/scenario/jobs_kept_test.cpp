// load_string_with_jobs: a knob of the cores, the switch interval or the workers reads the
// scenario again with the jobs read before, not read and expanded again; the same scenario
// and the same errors as load_string.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "error_of.hpp"
#include "sim/scenario/job_plan.hpp"
#include "sim/scenario/loader.hpp"

using namespace gilsim::scenario;

namespace {

std::string error_loading(const std::string& text, const std::vector<Override>& overrides, std::vector<JobTemplate> jobs) {
  try {
    load_string_with_jobs(text, "s.toml", overrides, std::move(jobs));
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "no error";
}

std::string error_loading(const std::string& text, const std::vector<Override>& overrides) {
  try {
    load_string(text, "s.toml", overrides);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "no error";
}

/// The parts of two scenarios a knob may move, and the rest by the plan they make.
void check_same(const Scenario& a, const Scenario& b) {
  CHECK(same_plan(a, b));
  CHECK(a.title == b.title);
  CHECK(a.source == b.source);
  CHECK(a.machine.cores == b.machine.cores);
  CHECK(a.python.switch_interval == b.python.switch_interval);
  REQUIRE(a.runs.size() == b.runs.size());
  for (std::size_t r = 0; r < a.runs.size(); ++r) {
    CHECK(a.runs[r].name == b.runs[r].name);
    CHECK(a.runs[r].workers == b.runs[r].workers);
  }
  REQUIRE(a.jobs.size() == b.jobs.size());
  for (std::size_t j = 0; j < a.jobs.size(); ++j) {
    CHECK(a.jobs[j].where.file == b.jobs[j].where.file);
    CHECK(a.jobs[j].where.line == b.jobs[j].where.line);
    CHECK(a.jobs[j].where.column == b.jobs[j].where.column);
  }
}

}  // namespace

TEST_CASE("every bundled lesson read again with the jobs read before is the lesson read anew") {
  const std::vector<std::vector<Override>> knobs{
      {}, {{"cores", "1", "knob"}}, {{"switch_interval", "1ms", "knob"}, {"cores", "3", "knob"}}};
  for (const auto& file : bundled_scenarios()) {
    CAPTURE(file);
    const std::string text = read_scenario_file(file);
    const Scenario before = load_string(text, file.string(), {{"cores", "2", "knob"}});
    for (const auto& overrides : knobs) {
      check_same(load_string_with_jobs(text, file.string(), overrides, before.jobs),
                 load_string(text, file.string(), overrides));
    }
  }
}

TEST_CASE("the jobs are taken as they are: their steps are the same storage") {
  const std::string text = read_scenario_file(std::string(GILSIM_SCENARIO_DIR) + "/15-lost-update.toml");
  Scenario before = load_string(text, "15.toml", {});
  const Step* steps = before.jobs.at(1).steps.data();
  const Scenario after = load_string_with_jobs(text, "15.toml", {{"cores", "2", "knob"}}, std::move(before.jobs));
  CHECK(after.jobs.at(1).steps.data() == steps);
  CHECK(after.machine.cores == 2);
}

TEST_CASE("another override, or a job pinned to CPUs, reads the jobs anew") {
  const std::string text = read_scenario_file(std::string(GILSIM_SCENARIO_DIR) + "/15-lost-update.toml");
  Scenario before = load_string(text, "15.toml", {});
  const std::vector<JobTemplate> jobs = before.jobs;
  CHECK(jobs_kept_under(jobs, {{"cores", "2", "knob"}, {"workers", "2", "knob"}, {"switch_interval", "1ms", "knob"}}));
  CHECK_FALSE(jobs_kept_under(jobs, {{"jobs", "2", "knob"}}));
  CHECK_FALSE(jobs_kept_under(jobs, {{"seed", "2", "knob"}}));
  CHECK_FALSE(jobs_kept_under(jobs, {{"job.1.count", "2", "knob"}}));
  CHECK_FALSE(jobs_kept_under({}, {}));
  const Scenario more = load_string_with_jobs(text, "15.toml", {{"jobs", "2", "knob"}}, jobs);
  CHECK(more.jobs.at(0).count == 2);
  std::vector<JobTemplate> pinned = jobs;
  pinned[0].cpus = {0};
  CHECK_FALSE(jobs_kept_under(pinned, {{"cores", "2", "knob"}}));
}

TEST_CASE("the errors are load_string's") {
  const std::string text = read_scenario_file(std::string(GILSIM_SCENARIO_DIR) + "/15-lost-update.toml");
  const std::vector<JobTemplate> jobs = load_string(text, "s.toml", {}).jobs;
  for (const std::vector<Override>& overrides :
       std::vector<std::vector<Override>>{{{"cores", "0", "knob"}}, {{"workers", "2", "knob"}}, {{"switch_interval", "fast", "knob"}}}) {
    const std::string expected = error_loading(text, overrides);
    CHECK(expected != "no error");
    CHECK(error_loading(text, overrides, jobs) == expected);
  }
}

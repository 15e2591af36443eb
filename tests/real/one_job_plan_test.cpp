// The model and the real executors work on one job plan and one set of settings: the same
// drawn durations for every distribution, whatever the seed (docs/model.md, The engine).
#include <doctest/doctest.h>

#include <fmt/format.h>

#include "sim/model/simulate.hpp"
#include "sim/real/execute.hpp"
#include "sim/scenario/effective_settings.hpp"
#include "sim/scenario/job_plan.hpp"
#include "sim/scenario/loader.hpp"

using namespace gilsim;

namespace {

scenario::Scenario sleeping_jobs(std::string_view steps, std::uint64_t seed) {
  const std::string text = fmt::format(R"(title = "draws"
seed = {}
[machine]
cores = 1
[[job]]
name = "j"
count = 3
steps = [ {} ]
[[run]]
executor = "sequential"
)",
                                       seed, steps);
  return scenario::load_string(text, "draws.toml");
}

}  // namespace

TEST_CASE("every distribution gives the model and the real run identical durations") {
  const char* forms[] = {
      R"x({ sleep = "1ms" })x",
      R"x({ sleep = "500us..1500us" })x",
      R"x({ sleep = "exp(1ms)" })x",
      R"x({ sleep = "normal(1ms, 300us)" })x",
      R"x({ repeat = 2, steps = [ { sleep = "normal(400us, 100us)" }, { io = "200us..600us" } ] })x",
  };
  for (const char* form : forms) {
    for (std::uint64_t seed : {1u, 7u, 42u, 1234u}) {
      CAPTURE(form);
      CAPTURE(seed);
      const scenario::Scenario s = sleeping_jobs(form, seed);
      const trace::Trace predicted = model::simulate(s, s.runs[0]);
      const trace::Trace measured = real::execute(s, s.runs[0]);
      REQUIRE(predicted.jobs.size() == 3);
      REQUIRE(measured.jobs.size() == 3);
      for (std::size_t j = 0; j < 3; ++j) {
        REQUIRE(predicted.jobs[j].step_durations);
        REQUIRE(measured.jobs[j].step_durations);
        const auto& planned = *predicted.jobs[j].step_durations;
        REQUIRE(!planned.empty());
        CHECK(planned == *measured.jobs[j].step_durations);
        // The model sleeps exactly what was drawn; the real run at least that long.
        Time total;
        for (Time d : planned) total += d;
        CHECK(predicted.jobs[j].end - predicted.jobs[j].begin == total);
        CHECK(measured.jobs[j].end - measured.jobs[j].begin >= total);
      }
    }
  }
}

TEST_CASE("a random duration is drawn once per job, from the seed alone") {
  const scenario::Scenario s = sleeping_jobs(R"x({ cpu = "normal(10ms, 2ms)" })x", 7);
  const scenario::JobPlan plan = scenario::plan_jobs(s);
  REQUIRE(plan.size() == 3);
  // The first draw of normal(10ms, 2ms) with seed 7 (the model's generator, sim/scenario/seeded_random.hpp).
  CHECK(plan[0].steps[0].duration.ns() / 10'000 == 1'318);
  CHECK(plan[0].steps[0].duration != plan[1].steps[0].duration);
  CHECK(scenario::plan_jobs(s)[2].steps[0].duration == plan[2].steps[0].duration);
}

TEST_CASE("one set of effective settings: the free-threading overhead applies once, on both sides") {
  scenario::Scenario s = sleeping_jobs(R"x({ cpu = "10ms" })x", 1);
  s.runs[0].gil = scenario::GilMode::None;
  const auto settings = scenario::effective_settings(s, s.runs[0]);
  CHECK(scenario::python_cost(settings, Time{10'000'000}) == Time{10'800'000});
  const trace::Trace predicted = model::simulate(s, s.runs[0]);
  CHECK(predicted.end == Time{3 * 10'800'000});
  s.runs[0].gil = scenario::GilMode::New;
  CHECK(scenario::python_cost(scenario::effective_settings(s, s.runs[0]), Time{10'000'000}) == Time{10'000'000});
}

TEST_CASE("fitting to a machine gives each run min(its cores, the machine's)") {
  scenario::Scenario s = sleeping_jobs(R"x({ cpu = "1ms" })x", 1);
  s.machine.cores = 4;
  scenario::Run one = s.runs[0];
  one.cores = 1;
  s.runs.push_back(one);
  const auto note = scenario::fit_to_machine(s, 2);
  REQUIRE(note);
  CHECK(note->find("asks for 4 cores") != std::string::npos);
  CHECK(scenario::effective_settings(s, s.runs[0]).cores == 2);
  CHECK(scenario::effective_settings(s, s.runs[1]).cores == 1);
  CHECK_FALSE(scenario::fit_to_machine(s, 8));
  CHECK(scenario::effective_settings(s, s.runs[0]).cores == 2);  // never more than asked
}

TEST_CASE("a thread pool grows by submit()'s rule on both sides") {
  scenario::ThreadPoolGrowth growth(2);
  CHECK(growth.submit());
  CHECK(growth.submit());
  CHECK_FALSE(growth.submit());  // at max_workers: queued
  growth.worker_idle();
  CHECK_FALSE(growth.submit());  // an idle worker takes it
  CHECK(growth.threads() == 2);
}

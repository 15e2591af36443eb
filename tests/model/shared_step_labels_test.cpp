// The runs of one scenario share their templates' step labels and their jobs' drawn durations:
// a knob change simulates every run again, and 80,000 steps of a repeat block are then a few
// strings and a pointer per run, not 80,000 strings and durations each. Each step still reads
// its own label and duration.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/model/simulate.hpp"
#include "sim/scenario/job_plan.hpp"
#include "sim/scenario/loader.hpp"

using namespace gilsim;

TEST_CASE("every run of lesson 15 shares one copy of each template's step labels and each job's durations") {
  const scenario::Scenario s = scenario::load_file(std::string(GILSIM_SOURCE_DIR) + "/scenarios/15-lost-update.toml");
  for (unsigned threads : {1u, 2u}) {
    CAPTURE(threads);
    const std::vector<trace::Trace> runs = model::simulate_all(s, threads);
    REQUIRE(runs.size() == 3);
    REQUIRE(runs[0].templates.size() == 2);
    // unsafe: one increment repeated; locked: acquire, increment, release repeated.
    CHECK(runs[0].templates[0].step_labels.distinct_count() == 1);
    CHECK(runs[0].templates[1].step_labels.distinct_count() == 3);
    for (std::size_t t = 0; t < s.jobs.size(); ++t) {
      CAPTURE(t);
      const auto& steps = s.jobs[t].steps;
      REQUIRE(runs[0].templates[t].step_labels.size() == steps.size());
      for (std::size_t i = 0; i < steps.size(); i += 997) {
        CHECK(runs[0].templates[t].step_labels[i] == scenario::step_label(s, steps[i]));
      }
      for (const trace::Trace& run : runs) CHECK(&run.templates[t].step_labels[5] == &runs[0].templates[t].step_labels[5]);
    }
    const scenario::JobPlan plan = scenario::plan_jobs(s);
    REQUIRE(runs[0].jobs.size() == plan.size());
    for (std::size_t j = 0; j < plan.size(); ++j) {
      CAPTURE(j);
      REQUIRE(runs[0].jobs[j].step_durations);
      const std::vector<Time>& drawn = *runs[0].jobs[j].step_durations;
      REQUIRE(drawn.size() == plan[j].steps.size());
      for (std::size_t i = 0; i < drawn.size(); i += 997) CHECK(drawn[i] == plan[j].steps[i].duration);
      for (const trace::Trace& run : runs) CHECK(run.jobs[j].step_durations == runs[0].jobs[j].step_durations);
    }
  }
}

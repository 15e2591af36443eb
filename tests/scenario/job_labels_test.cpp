// The trace's step labels, made once per distinct step of a template, read as step_label()
// of each step: the same ones, in order, however many steps repeat and however many differ.
#include <doctest/doctest.h>

#include <string>

#include "sim/scenario/job_plan.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/trace/trace_builder.hpp"

using namespace gilsim::scenario;

TEST_CASE("each step's label in the trace is step_label() of that step") {
  // 20 distinct cpu steps (more than are remembered), repeated, between lock and counter steps
  // that differ only in their target or call.
  std::string cpu;
  for (int i = 1; i <= 20; ++i) cpu += "{ cpu = \"" + std::to_string(i) + "us\" }, ";
  const std::string text =
      "title = \"t\"\n[locks]\na = \"Lock\"\nb = \"Lock\"\n[counters]\nn = 0\nm = 0\n"
      "[[job]]\nname = \"w\"\ncount = 2\n"
      "steps = [ { repeat = 3, steps = [ " + cpu +
      "{ acquire = \"a\" }, { acquire = \"b\" }, { release = \"b\" }, { release = \"a\" }, "
      "{ increment = \"n\" }, { increment = \"m\" }, { increment = \"n\", call = \"1us\" }, "
      "{ io = \"5us\" }, { io = \"1us..2us\" }, { io = \"1us..3us\" } ] } ]\n"
      "[[job]]\nname = \"v\"\nsteps = [ { cpu = \"1us\" }, { sleep = \"1us\" } ]\n"
      "[[run]]\nexecutor = \"threads\"\n";
  const Scenario s = load_string(text, "labels.toml");
  gilsim::trace::TraceBuilder builder("r", "threads", "new", gilsim::trace::Origin::Simulated, 1, gilsim::Time{5'000'000});
  register_jobs(s, plan_jobs(s), builder);
  const auto& templates = builder.peek().templates;
  REQUIRE(templates.size() == s.jobs.size());
  for (std::size_t t = 0; t < s.jobs.size(); ++t) {
    CAPTURE(t);
    const auto& steps = s.jobs[t].steps;
    REQUIRE(templates[t].step_labels.size() == steps.size());
    for (std::size_t i = 0; i < steps.size(); ++i) {
      CAPTURE(i);
      CHECK(templates[t].step_labels[i] == step_label(s, steps[i]));
    }
  }
  CHECK(templates[0].step_labels.size() == 3 * 30);
  CHECK(templates[0].step_labels[20] == step_label(s, s.jobs[0].steps[20]));
  CHECK(templates[0].step_labels[20] != templates[0].step_labels[21]);  // a and b
}

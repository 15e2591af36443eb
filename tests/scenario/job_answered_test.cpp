// PlannedJob::answered: plan_jobs() says once a job whether any of its io steps has an
// `answer` (a peer process, docs/model.md S9), which a run asks where it looked over every step.
#include <doctest/doctest.h>

#include <string>

#include "sim/scenario/job_plan.hpp"
#include "sim/scenario/loader.hpp"

using namespace gilsim::scenario;

TEST_CASE("a job is answered when one of its io steps, even in a repeat block, has an answer") {
  const Scenario s = load_string(
      "title = \"t\"\n[machine]\ncores = 2\n"
      "[[job]]\nname = \"client\"\nsteps = [ { native = \"2us\" }, { repeat = 3, steps = [ { cpu = \"1us\" }, "
      "{ io = \"6us\", answer = \"4us\" } ] } ]\n"
      "[[job]]\nname = \"plain\"\ncount = 2\nsteps = [ { io = \"6us\" }, { cpu = \"1us\" } ]\n"
      "[[job]]\nname = \"last\"\nsteps = [ { cpu = \"1us\" }, { io = \"6us\", answer = \"1ns\" } ]\n"
      "[[run]]\nexecutor = \"threads\"\n",
      "s.toml");
  const JobPlan plan = plan_jobs(s);
  REQUIRE(plan.size() == 4);
  CHECK(plan[0].answered);
  CHECK_FALSE(plan[1].answered);
  CHECK_FALSE(plan[2].answered);
  CHECK(plan[3].answered);  // its last step alone
}

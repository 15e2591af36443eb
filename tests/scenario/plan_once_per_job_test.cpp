// What plan_jobs() works out once a job, which each run asked of the steps: whether a job
// has a peer process (PlannedJob::answered, docs/model.md S9) and each step's run of like
// statements (PlannedStep::run, docs/model.md U4).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/scenario/job_plan.hpp"
#include "sim/scenario/loader.hpp"

using namespace gilsim::scenario;

TEST_CASE("a job is answered when one of its io steps, even in a repeat block, has an answer") {
  const Scenario s = load_string(
      "title = \"t\"\n[machine]\ncores = 2\n"
      "[[job]]\nname = \"client\"\nsteps = [ { native = \"2us\" }, { repeat = 3, steps = [ { cpu = \"1us\" }, "
      "{ io = \"6us\", answer = \"4us\" } ] }, { cpu = \"1us\" } ]\n"
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

TEST_CASE("a step's run counts the increments of its counter, or the with statements of its lock and counter, in a row") {
  using gilsim::Time;
  const auto step = [](StepKind kind, std::uint32_t target) {
    PlannedStep s;
    s.kind = kind;
    s.target = target;
    s.duration = Time{10};
    return s;
  };
  const PlannedStep inc0 = step(StepKind::Increment, 0), inc1 = step(StepKind::Increment, 1);
  const PlannedStep acq0 = step(StepKind::Acquire, 0), rel0 = step(StepKind::Release, 0);
  const PlannedStep acq1 = step(StepKind::Acquire, 1), rel1 = step(StepKind::Release, 1);
  const PlannedStep cpu = step(StepKind::Cpu, 0);
  std::vector<PlannedStep> steps{inc0, inc0, inc0, inc1, inc0,                 // 0-4
                                 acq0, inc1, rel0, acq0, inc1, rel0,           // 5-10: two with statements
                                 acq0, inc0, rel0,                             // 11-13: another counter
                                 acq1, inc1, rel1,                             // 14-16: another lock
                                 acq0, inc1, rel1,                             // 17-19: released the wrong lock
                                 acq0, inc1, cpu,                              // 20-22: no release
                                 acq0, inc1, rel0, acq0, inc1};                // 23-27: the last one cut short
  count_runs(steps);
  std::vector<int> runs;
  for (const PlannedStep& s : steps) runs.push_back(s.run);
  CHECK(runs == std::vector<int>{3, 2, 1, 1, 1,  //
                                 2, 1, 0, 1, 1, 0,  //
                                 1, 1, 0,           //
                                 1, 1, 0,           //
                                 0, 1, 0,           //
                                 0, 1, 0,           //
                                 1, 1, 0, 0, 1});
  // A plan's steps come counted.
  const Scenario s = load_string(
      "title = \"t\"\n[machine]\ncores = 2\n[locks]\nl = \"Lock\"\n[counters]\nc = 0\n"
      "[[job]]\nname = \"w\"\nsteps = [ { repeat = 4, steps = [ { acquire = \"l\" }, { increment = \"c\" }, "
      "{ release = \"l\" } ] }, { repeat = 2, steps = [ { increment = \"c\" } ] } ]\n"
      "[[run]]\nexecutor = \"threads\"\n",
      "s.toml");
  const JobPlan plan = plan_jobs(s);
  REQUIRE(plan.size() == 1);
  REQUIRE(plan[0].steps.size() == 14);
  CHECK(plan[0].steps[0].run == 4);
  CHECK(plan[0].steps[9].run == 1);
  CHECK(plan[0].steps[12].run == 2);
}

TEST_CASE("a run longer than a step's count holds is counted in pieces of the largest") {
  PlannedStep inc;
  inc.kind = StepKind::Increment;
  std::vector<PlannedStep> steps(PlannedStep::kMaxRun + 5, inc);
  count_runs(steps);
  CHECK(steps[0].run == PlannedStep::kMaxRun);
  CHECK(steps[5].run == PlannedStep::kMaxRun);
  CHECK(steps[6].run == PlannedStep::kMaxRun - 1);
  CHECK(steps.back().run == 1);
}

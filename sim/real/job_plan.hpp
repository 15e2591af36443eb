// The jobs of a scenario as a real run does them: one flat list, in the model's job order
// (templates in file order, then 1..count), with every duration drawn once from the seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace gilsim::real {

struct PlannedStep {
  scenario::StepKind kind = scenario::StepKind::Cpu;
  scenario::StepKind offload_work = scenario::StepKind::Cpu;
  Time duration;
  std::uint32_t target = 0;  ///< acquire, release: the lock; increment: the counter
  bool has_call = false;     ///< increment: `counter += f()`
};

struct PlannedJob {
  std::uint32_t index = 0;           ///< trace job index
  std::uint32_t template_index = 0;
  std::string name;                  ///< "page 3", or "page" when there is one
  std::vector<PlannedStep> steps;
  std::int64_t arg_bytes = 0;
  std::int64_t result_bytes = 0;
};

/// Draws every duration with a generator seeded by scenario.seed, job by job, step by step.
std::vector<PlannedJob> plan_jobs(const scenario::Scenario& scenario);

}  // namespace gilsim::real

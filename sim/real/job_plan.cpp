// Flattening templates into jobs and drawing their durations from the scenario's seed.
#include "sim/real/job_plan.hpp"

#include <algorithm>
#include <random>

#include <fmt/format.h>

namespace gilsim::real {

namespace {
Time draw(const scenario::Duration& d, std::mt19937_64& rng) {
  using Kind = scenario::Duration::Kind;
  const double a = static_cast<double>(d.a.ns());
  const double b = static_cast<double>(d.b.ns());
  switch (d.kind) {
    case Kind::Fixed: return d.a;
    case Kind::Uniform: return Time{static_cast<std::int64_t>(std::uniform_real_distribution<double>(a, std::max(a, b))(rng))};
    case Kind::Exponential:
      if (a <= 0) return Time{0};
      return Time{static_cast<std::int64_t>(std::exponential_distribution<double>(1.0 / a)(rng))};
    case Kind::Normal:
      return Time{static_cast<std::int64_t>(std::max(0.0, std::normal_distribution<double>(a, std::max(0.0, b))(rng)))};
  }
  return d.a;
}
}  // namespace

std::vector<PlannedJob> plan_jobs(const scenario::Scenario& scenario) {
  std::mt19937_64 rng(scenario.seed);
  std::vector<PlannedJob> jobs;
  jobs.reserve(static_cast<std::size_t>(std::max(0, scenario.total_jobs())));
  for (std::size_t t = 0; t < scenario.jobs.size(); ++t) {
    const auto& tmpl = scenario.jobs[t];
    for (int i = 0; i < tmpl.count; ++i) {
      PlannedJob job;
      job.index = static_cast<std::uint32_t>(jobs.size());
      job.template_index = static_cast<std::uint32_t>(t);
      job.name = tmpl.count == 1 ? tmpl.name : fmt::format("{} {}", tmpl.name, i + 1);
      job.arg_bytes = tmpl.arg_bytes;
      job.result_bytes = tmpl.result_bytes;
      for (const auto& step : tmpl.steps) {
        job.steps.push_back(PlannedStep{step.kind, step.offload_work, draw(step.duration, rng), step.target, step.has_call});
      }
      jobs.push_back(std::move(job));
    }
  }
  return jobs;
}

}  // namespace gilsim::real

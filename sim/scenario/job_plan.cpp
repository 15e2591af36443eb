// Flattening templates into jobs and drawing their durations from the scenario's seed.
#include "sim/scenario/job_plan.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "sim/scenario/seeded_random.hpp"
#include "sim/trace/trace_builder.hpp"

namespace gilsim::scenario {

JobPlan plan_jobs(const Scenario& scenario) {
  Random random(scenario.seed);
  JobPlan jobs;
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
      job.steps.reserve(tmpl.steps.size());
      for (const auto& step : tmpl.steps) {
        job.steps.push_back(PlannedStep{step.kind, step.offload_work, random.draw(step.duration), step.target, step.has_call});
      }
      jobs.push_back(std::move(job));
    }
  }
  return jobs;
}

void register_jobs(const Scenario& scenario, const JobPlan& plan, trace::TraceBuilder& builder,
                   WithDurations with_durations) {
  // A repeat block is unrolled into its steps, so a template has few distinct steps and
  // many copies: each distinct one is formatted once (the last few are remembered).
  const auto same = [](const Step& a, const Step& b) {
    return a.kind == b.kind && a.duration.kind == b.duration.kind && a.duration.a == b.duration.a &&
           a.duration.b == b.duration.b && a.offload_work == b.offload_work && a.target == b.target &&
           a.has_call == b.has_call;
  };
  constexpr std::size_t kRemembered = 8;
  for (const auto& tmpl : scenario.jobs) {
    std::vector<std::string> labels;
    labels.reserve(tmpl.steps.size());
    std::vector<std::pair<const Step*, std::size_t>> seen;  // a step and its label's index
    for (const auto& step : tmpl.steps) {
      const auto it = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return same(*s.first, step); });
      if (it != seen.end()) {
        labels.push_back(labels[it->second]);
        continue;
      }
      if (seen.size() == kRemembered) seen.erase(seen.begin());
      seen.emplace_back(&step, labels.size());
      labels.push_back(step_label(scenario, step));
    }
    builder.add_template(tmpl.name, std::move(labels));
  }
  for (const PlannedJob& job : plan) {
    std::vector<Time> durations;
    if (with_durations == WithDurations::Yes) {
      durations.reserve(job.steps.size());
      for (const auto& step : job.steps) durations.push_back(step.duration);
    }
    builder.add_job(job.name, job.template_index, std::move(durations));
  }
}

}  // namespace gilsim::scenario

// Flattening templates into jobs and drawing their durations from the scenario's seed.
#include "sim/scenario/job_plan.hpp"

#include <algorithm>

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

namespace {

/// Whether two steps read the same in a label (step_label() reads only these fields).
bool same_label_fields(const Step& a, const Step& b) {
  return a.kind == b.kind && a.duration.kind == b.duration.kind && a.duration.a == b.duration.a &&
         a.duration.b == b.duration.b && a.offload_work == b.offload_work && a.target == b.target &&
         a.has_call == b.has_call;
}

}  // namespace

void register_jobs(const Scenario& scenario, const JobPlan& plan, trace::TraceBuilder& builder,
                   WithDurations with_durations) {
  // An expanded `repeat` block is the same few steps many times over: each distinct step is
  // labelled once (formatting the labels was 7% of simulating the viewer's 1 M-span scenario).
  constexpr std::size_t kLabelsKept = 16;
  std::vector<std::pair<const Step*, std::size_t>> labelled;  // a step and its label's index
  for (const auto& tmpl : scenario.jobs) {
    std::vector<std::string> labels;
    labels.reserve(tmpl.steps.size());
    labelled.clear();
    for (const auto& step : tmpl.steps) {
      const auto known = std::find_if(labelled.begin(), labelled.end(),
                                      [&](const auto& l) { return same_label_fields(*l.first, step); });
      if (known != labelled.end()) {
        labels.push_back(labels[known->second]);
        continue;
      }
      labels.push_back(step_label(scenario, step));
      if (labelled.size() < kLabelsKept) labelled.emplace_back(&step, labels.size() - 1);
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

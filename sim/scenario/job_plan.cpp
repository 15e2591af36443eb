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
      job.cpus = tmpl.cpus;
      job.peer_cpus = tmpl.peer_cpus;
      job.steps.reserve(tmpl.steps.size());
      for (const auto& step : tmpl.steps) {
        PlannedStep planned;
        planned.kind = step.kind;
        planned.offload_work = step.offload_work;
        planned.duration = random.draw(step.duration);
        planned.target = step.target;
        planned.has_call = step.has_call;
        planned.answer = step.answer;
        job.steps.push_back(planned);
        job.answered = job.answered || step.answer > Time::zero();
      }
      count_runs(job.steps);
      jobs.push_back(std::move(job));
    }
  }
  return jobs;
}

void count_runs(std::vector<PlannedStep>& steps) {
  // From the last step back: each run is its successor's plus one, when they match.
  const std::size_t n = steps.size();
  for (std::size_t k = n; k-- > 0;) {
    PlannedStep& s = steps[k];
    s.run = 0;
    if (s.kind == StepKind::Increment) {
      const bool more = k + 1 < n && steps[k + 1].kind == StepKind::Increment && steps[k + 1].target == s.target;
      s.run = more ? static_cast<std::uint16_t>(std::min<int>(steps[k + 1].run + 1, PlannedStep::kMaxRun)) : 1;
    } else if (s.kind == StepKind::Acquire && k + 2 < n && steps[k + 1].kind == StepKind::Increment &&
               steps[k + 2].kind == StepKind::Release && steps[k + 2].target == s.target) {
      // A with statement; the next one is the same when its lock and counter are.
      const bool more = k + 3 < n && steps[k + 3].kind == StepKind::Acquire && steps[k + 3].target == s.target &&
                        steps[k + 3].run > 0 && steps[k + 4].target == steps[k + 1].target;
      s.run = more ? static_cast<std::uint16_t>(std::min<int>(steps[k + 3].run + 1, PlannedStep::kMaxRun)) : 1;
    }
  }
}

namespace {

/// Two steps that draw the same durations and read the same label.
bool same_step(const Step& a, const Step& b) {
  return a.kind == b.kind && a.duration.kind == b.duration.kind && a.duration.a == b.duration.a &&
         a.duration.b == b.duration.b && a.offload_work == b.offload_work && a.target == b.target &&
         a.has_call == b.has_call && a.answer == b.answer;
}

}  // namespace

bool same_plan(const Scenario& a, const Scenario& b) {
  const auto same_template = [](const JobTemplate& x, const JobTemplate& y) {
    return x.name == y.name && x.count == y.count && x.arg_bytes == y.arg_bytes && x.result_bytes == y.result_bytes &&
           x.cpus == y.cpus && x.peer_cpus == y.peer_cpus &&
           std::equal(x.steps.begin(), x.steps.end(), y.steps.begin(), y.steps.end(), same_step);
  };
  const auto same_name = [](const auto& x, const auto& y) { return x.name == y.name; };
  return a.seed == b.seed && std::equal(a.jobs.begin(), a.jobs.end(), b.jobs.begin(), b.jobs.end(), same_template) &&
         std::equal(a.locks.begin(), a.locks.end(), b.locks.begin(), b.locks.end(), same_name) &&
         std::equal(a.counters.begin(), a.counters.end(), b.counters.begin(), b.counters.end(), same_name);
}

std::vector<trace::StepLabels> label_steps(const Scenario& scenario) {
  // The distinct steps are looked for among the last few met, which is where a repeat
  // block's copies are.
  constexpr std::size_t kRemembered = 8;
  std::vector<trace::StepLabels> out;
  out.reserve(scenario.jobs.size());
  for (const auto& tmpl : scenario.jobs) {
    std::vector<std::string> distinct;
    std::vector<std::uint32_t> of_step;
    of_step.reserve(tmpl.steps.size());
    std::vector<std::pair<const Step*, std::uint32_t>> seen;  // a step and its label's index
    for (const auto& step : tmpl.steps) {
      const auto it = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return same_step(*s.first, step); });
      if (it != seen.end()) {
        of_step.push_back(it->second);
        continue;
      }
      if (seen.size() == kRemembered) seen.erase(seen.begin());
      seen.emplace_back(&step, static_cast<std::uint32_t>(distinct.size()));
      of_step.push_back(static_cast<std::uint32_t>(distinct.size()));
      distinct.push_back(step_label(scenario, step));
    }
    out.emplace_back(std::move(distinct), std::move(of_step));
  }
  return out;
}

TraceJobs::TraceJobs(const Scenario& scenario, const JobPlan& plan) : labels(label_steps(scenario)) {
  durations.reserve(plan.size());
  for (const PlannedJob& job : plan) {
    std::vector<Time> drawn;
    drawn.reserve(job.steps.size());
    for (const auto& step : job.steps) drawn.push_back(step.duration);
    durations.push_back(std::make_shared<const std::vector<Time>>(std::move(drawn)));
  }
}

void register_jobs(const Scenario& scenario, const JobPlan& plan, const TraceJobs& shared,
                   trace::TraceBuilder& builder, WithDurations with_durations) {
  for (std::size_t t = 0; t < scenario.jobs.size(); ++t) builder.add_template(scenario.jobs[t].name, shared.labels.at(t));
  for (std::size_t j = 0; j < plan.size(); ++j) {
    builder.add_job(plan[j].name, plan[j].template_index,
                    with_durations == WithDurations::Yes ? shared.durations.at(j) : nullptr);
  }
}

void register_jobs(const Scenario& scenario, const JobPlan& plan, trace::TraceBuilder& builder,
                   WithDurations with_durations) {
  register_jobs(scenario, plan, TraceJobs(scenario, plan), builder, with_durations);
}

}  // namespace gilsim::scenario

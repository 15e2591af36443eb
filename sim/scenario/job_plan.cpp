// Flattening templates into jobs and drawing their durations from the scenario's seed.
#include "sim/scenario/job_plan.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "sim/scenario/seeded_random.hpp"
#include "sim/trace/trace_builder.hpp"

namespace gilsim::scenario {

namespace {

/// PlannedStep::run of each of `n` steps (a template's or a job's: the same kinds and targets)
/// into `runs`, from the last step back: each run is its successor's plus one, when they match.
template <typename S>
void runs_of(const S* steps, std::size_t n, std::uint16_t* runs) {
  const auto more = [](std::uint16_t run) {
    return static_cast<std::uint16_t>(run + (run < PlannedStep::kMaxRun ? 1 : 0));
  };
  for (std::size_t k = n; k-- > 0;) {
    const S& s = steps[k];
    std::uint16_t run = 0;
    if (s.kind == StepKind::Increment) {
      run = k + 1 < n && steps[k + 1].kind == StepKind::Increment && steps[k + 1].target == s.target ? more(runs[k + 1])
                                                                                                    : 1;
    } else if (s.kind == StepKind::Acquire && k + 2 < n && steps[k + 1].kind == StepKind::Increment &&
               steps[k + 2].kind == StepKind::Release && steps[k + 2].target == s.target) {
      // A with statement; the next one is the same when its lock and counter are.
      run = k + 3 < n && runs[k + 3] > 0 && steps[k + 3].kind == StepKind::Acquire && steps[k + 3].target == s.target &&
                    steps[k + 4].target == steps[k + 1].target
                ? more(runs[k + 3])
                : 1;
    }
    runs[k] = run;
  }
}

}  // namespace

JobPlan plan_jobs(const Scenario& scenario) {
  Random random(scenario.seed);
  JobPlan jobs;
  jobs.reserve(static_cast<std::size_t>(std::max(0, scenario.total_jobs())));
  std::vector<std::uint16_t> runs;
  for (std::size_t t = 0; t < scenario.jobs.size(); ++t) {
    const auto& tmpl = scenario.jobs[t];
    runs.resize(tmpl.steps.size());
    runs_of(tmpl.steps.data(), tmpl.steps.size(), runs.data());  // the same for each job of it
    const bool answered =
        std::any_of(tmpl.steps.begin(), tmpl.steps.end(), [](const Step& s) { return s.answer > Time::zero(); });
    for (int i = 0; i < tmpl.count; ++i) {
      PlannedJob job;
      job.index = static_cast<std::uint32_t>(jobs.size());
      job.template_index = static_cast<std::uint32_t>(t);
      job.name = tmpl.count == 1 ? tmpl.name : fmt::format("{} {}", tmpl.name, i + 1);
      job.arg_bytes = tmpl.arg_bytes;
      job.result_bytes = tmpl.result_bytes;
      job.cpus = tmpl.cpus;
      job.peer_cpus = tmpl.peer_cpus;
      job.answered = answered;
      job.steps.reserve(tmpl.steps.size());
      for (const auto& step : tmpl.steps) {
        job.steps.push_back(PlannedStep{step.kind, step.offload_work, random.draw(step.duration), step.target, step.has_call,
                                        0, step.answer});
      }
      for (std::size_t k = 0; k < runs.size(); ++k) job.steps[k].run = runs[k];
      jobs.push_back(std::move(job));
    }
  }
  return jobs;
}

void count_runs(std::vector<PlannedStep>& steps) {
  std::vector<std::uint16_t> runs(steps.size());
  runs_of(steps.data(), steps.size(), runs.data());
  for (std::size_t k = 0; k < steps.size(); ++k) steps[k].run = runs[k];
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

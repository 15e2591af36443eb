// One judgement of a measured run for every reader; see judgement.hpp.
#include "sim/real/judgement.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/real/model_twin.hpp"

namespace gilsim::real {

Time predicted_cpu(const trace::Metrics& m, int cores) {
  return Time{static_cast<std::int64_t>(m.core_utilisation * std::max(1, cores) * static_cast<double>(m.makespan.ns()))};
}

Time predicted_cpu(const trace::Trace& predicted) { return predicted_cpu(trace::compute_metrics(predicted), predicted.cores); }

bool executor_cost(const trace::CpuCheck& c, Time planned, double error) {
  return error < -kErrorTolerance && c.checked && planned >= kExecutorCostLeast && c.got - planned >= kExecutorCostFloor &&
         static_cast<double>(c.got.ns()) > kExecutorCostShare * static_cast<double>(planned.ns());
}

Judgement judge(const trace::Trace& predicted, const trace::Metrics& pm, const trace::Trace& measured,
                const trace::Metrics& mm, bool seen_too_little) {
  Judgement j;
  j.error = prediction_error(pm.makespan, mm.makespan);
  j.seen_too_little = seen_too_little;
  if (!pm.finished() || !mm.finished()) {
    j.stopped = !pm.finished() && !mm.finished() ? Stopped::both
                : !pm.finished()                 ? Stopped::predicted
                                                 : Stopped::measured;
    return j;
  }
  j.starved = starved_note(measured);
  j.planned_cpu = predicted_cpu(pm, predicted.cores);
  if (j.starved || std::abs(j.error) <= kErrorTolerance) return j;
  // A CPython run times its compute() (a pace); gilsim's executor's own work is its CPU
  // beyond the plan.
  j.executor = measured.cpu_check.planned_compute == Time::zero() && executor_cost(measured.cpu_check, j.planned_cpu, j.error);
  j.off_pace = measured.cpu_check.off_pace();
  return j;
}

Judgement judge_alone(const trace::Trace& measured, bool seen_too_little) {
  Judgement j;
  j.seen_too_little = seen_too_little;
  j.starved = starved_note(measured);
  return j;
}

std::optional<std::string> unscored_reason(const trace::Trace& run, const Judgement& j) {
  if (run.origin != trace::Origin::Measured || j.stopped != Stopped::none || j.scored()) return std::nullopt;
  if (j.seen_too_little) return "its recording saw too little of its jobs";
  if (j.starved) return "busy machine";
  std::vector<std::string> causes;  // the error cell's causes, in its order
  if (j.executor) causes.emplace_back("the executor's own work");
  if (j.off_pace) causes.push_back(fmt::format("its CPU ran {} than calibrated", trace::pace_difference(run.cpu_check)));
  return fmt::format("{}", fmt::join(causes, ", "));
}

std::string unscored_baseline_line(const std::string& baseline, const std::string& why) {
  return fmt::format("{} marks a speed-up that divides by '{}', which is not scored ({}): not a figure to teach from.",
                     kUnscoredBaselineMark, baseline, why);
}

std::string unscored_runs_line(const std::vector<std::string>& runs_and_why, std::string_view more) {
  return fmt::format("{} marks a measured run that is not scored, so that neither its time nor its speed-up is a "
                     "figure to teach from ({}): {}.",
                     kUnscoredRunMark, more, fmt::join(runs_and_why, ", "));
}

std::string_view stopped_words(Stopped s) {
  switch (s) {
    case Stopped::none: return "";
    case Stopped::both: return "both stopped";
    case Stopped::predicted: return "predicted stopped";
    case Stopped::measured: return "measured stopped";
  }
  return "";
}

std::string stopped_note(const std::string& run, const Judgement& j) {
  if (j.stopped == Stopped::both) {
    return fmt::format("'{}': neither run finished its jobs (a deadlock stops a run: the lines above say where): "
                       "a run that stops has no makespan to compare, and both stopping is the prediction met.",
                       run);
  }
  const bool measured_stopped = j.stopped == Stopped::measured;
  return fmt::format("'{}': the {} run stopped before its last job and the {} finished: the prediction missed.", run,
                     measured_stopped ? "measured" : "model's", measured_stopped ? "model's" : "measured one");
}

std::string error_cell(const Judgement& j) {
  if (j.stopped != Stopped::none) return std::string(stopped_words(j.stopped));
  if (j.seen_too_little || j.starved) return "not scored";
  std::vector<std::string> causes;
  if (j.executor) causes.emplace_back("executor");
  if (j.off_pace) causes.emplace_back("off pace");
  if (!causes.empty()) return fmt::format("{}*", fmt::join(causes, ", "));
  return fmt::format("{:+.1f}%", 100.0 * j.error);
}

}  // namespace gilsim::real

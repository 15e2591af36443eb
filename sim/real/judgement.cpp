// One judgement of a measured run for every reader; see judgement.hpp.
#include "sim/real/judgement.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

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
                const trace::Metrics& mm) {
  Judgement j;
  j.error = prediction_error(pm.makespan, mm.makespan);
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
  if (j.starved) return "not scored";
  std::vector<std::string> causes;
  if (j.executor) causes.emplace_back("executor");
  if (j.off_pace) causes.emplace_back("off pace");
  if (!causes.empty()) return fmt::format("{}*", fmt::join(causes, ", "));
  return fmt::format("{:+.1f}%", 100.0 * j.error);
}

}  // namespace gilsim::real

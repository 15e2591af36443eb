// Header caveats and the shared axis's end; see run_caveats.hpp.
#include "viz/run_caveats.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "sim/real/machine_load.hpp"

namespace gilsim::viz {

namespace {

/// measurement_caveat's decision, in its words and in brief ("busy machine: not scored").
std::optional<ScoreCaveat> measurement_caveats(const trace::Trace& run, const real::Judgement* judged) {
  if (run.origin != trace::Origin::Measured) return std::nullopt;
  const trace::CpuCheck& c = run.cpu_check;
  // The command line's judgement, or without a prediction what needs no error (real::judge_alone).
  const real::Judgement alone = judged ? real::Judgement{} : real::judge_alone(run);
  const real::Judgement& j = judged ? *judged : alone;
  // Other programs' CPU and the run's waits for a core, by the command line's rule
  // (real::starved_note); a run recorded before the machine was sampled, by its waits alone.
  if (j.starved) {
    const std::string brief = "busy machine: not scored";
    if (c.sampled()) {
      return ScoreCaveat{fmt::format("busy machine: other programs used {:.0f}% of the {} cores; not scored",
                                     100.0 * c.others_share(), c.sampled_cpus),
                         brief};
    }
    if (run.measured_by.empty()) {
      return ScoreCaveat{fmt::format("busy machine: got {:.0f}% of the CPU it needed; not scored", 100.0 * c.share()), brief};
    }
    return ScoreCaveat{"busy machine: its threads waited for a core; not scored", brief};
  }
  std::vector<std::string> causes, briefs;
  if (j.executor) {
    causes.push_back(fmt::format("the executor's own work: {} of CPU where the model's computes for {}", c.got,
                                 j.planned_cpu));
    briefs.emplace_back("the executor's own work");
  }
  if (j.off_pace) {
    causes.push_back(fmt::format("CPU ran {} than calibrated (the host's speed drifts)", trace::pace_difference(c)));
    briefs.emplace_back("CPU off pace");
  }
  if (causes.empty()) return std::nullopt;
  return ScoreCaveat{fmt::format("{}; not scored", fmt::join(causes, ", ")), fmt::format("{}: not scored", fmt::join(briefs, ", "))};
}

}  // namespace

std::optional<std::string> measurement_caveat(const trace::Trace& run, const real::Judgement* judged) {
  if (auto c = measurement_caveats(run, judged)) return std::move(c->full);
  return std::nullopt;
}

std::optional<std::string> native_caveat(const trace::Trace& run) {
  if (run.origin != trace::Origin::Measured || !run.cpu_check.native_over()) return std::nullopt;
  return real::native_pace_note(run);
}

std::string unseen_flag(const cpython::JobsSeen& seen) {
  if (seen.unseen_jobs > 0) {
    return fmt::format("not scored: the recording saw nothing of {} of its {} job{}", seen.unseen_jobs, seen.jobs,
                       seen.jobs == 1 ? "" : "s");
  }
  const double share =
      static_cast<double>(seen.seen.ns()) / static_cast<double>(std::max<std::int64_t>(1, seen.total.ns()));
  return fmt::format("not scored: the recording saw {:.0f}% of its jobs' time", 100.0 * share);
}

std::optional<ScoreCaveat> score_caveats(const trace::Trace& run, const std::optional<cpython::JobsSeen>& unseen,
                                         const real::Judgement* judged) {
  if (unseen && run.origin == trace::Origin::Measured) return ScoreCaveat{unseen_flag(*unseen), "recording saw too little: not scored"};
  return measurement_caveats(run, judged);
}

std::optional<std::string> score_caveat(const trace::Trace& run, const std::optional<cpython::JobsSeen>& unseen,
                                        const real::Judgement* judged) {
  if (auto c = score_caveats(run, unseen, judged)) return std::move(c->full);
  return std::nullopt;
}

std::vector<std::pair<Time, Time>> no_job_stretches(const trace::Trace& run) {
  std::vector<std::pair<Time, Time>> jobs, out;
  for (const trace::Job& job : run.jobs) {
    if (job.end != Time::max() && job.end > job.begin) jobs.emplace_back(job.begin, min(job.end, run.end));
  }
  std::sort(jobs.begin(), jobs.end());
  Time at = Time::zero();
  for (const auto& [begin, end] : jobs) {
    if (begin > at) out.emplace_back(at, begin);
    at = max(at, end);
  }
  if (run.end > at) out.emplace_back(at, run.end);
  return out;
}

std::optional<std::string> unrecorded_note(const trace::Trace& run, Time cpu) {
  if (run.origin != trace::Origin::Measured || run.measured_by.empty() || run.partial()) return std::nullopt;
  return cpython::outside_jobs_note(run, cpu);
}

Time axis_end(const std::vector<trace::Trace>& runs, bool clip_measured) {
  Time all = Time::zero(), simulated = Time::zero();
  bool any_simulated = false;
  for (const trace::Trace& r : runs) {
    all = max(all, r.end);
    if (r.origin == trace::Origin::Simulated) {
      simulated = max(simulated, r.end);
      any_simulated = true;
    }
  }
  return clip_measured && any_simulated ? simulated : all;
}

}  // namespace gilsim::viz

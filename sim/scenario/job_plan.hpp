// The one job plan: every job of a scenario with every duration drawn once, from the
// scenario's seed alone. The model and the real executors both work on it, so a
// prediction and a measurement are about the same jobs (docs/model.md, The engine).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/trace/step_labels.hpp"

namespace gilsim::trace {
class TraceBuilder;
}

namespace gilsim::scenario {

struct PlannedStep {
  StepKind kind = StepKind::Cpu;
  StepKind offload_work = StepKind::Cpu;
  Time duration;
  std::uint32_t target = 0;  ///< acquire, release: the lock; increment: the counter
  bool has_call = false;     ///< increment: `counter += f()`
  /// Set by plan_jobs() (0 elsewhere: no run known), once a job, for the model's loops over a
  /// lesson's statements (docs/model.md U4), which then need not look at each step's kind:
  /// on an increment, the increments of its counter in a row from it (itself the first); on
  /// an acquire, the `with lock: counter += f()` statements in a row from it (acquire,
  /// increment, release of one lock and one counter, the same ones each time). At most
  /// kMaxRun (a longer run is that many, then the rest): in the padding before `answer`.
  std::uint16_t run = 0;
  static constexpr std::uint16_t kMaxRun = 65535;
  Time answer{};             ///< io: the peer process's CPU time to answer (docs/model.md S9)
};

static_assert(sizeof(PlannedStep) == 32, "PlannedStep::run fits the padding before answer");

struct PlannedJob {
  std::uint32_t index = 0;           ///< trace job index
  std::uint32_t template_index = 0;
  std::string name;                  ///< "page 3", or "page" when there is one
  std::vector<PlannedStep> steps;
  std::int64_t arg_bytes = 0;
  std::int64_t result_bytes = 0;
  std::vector<int> cpus;       ///< its thread's affinity (S9); empty: any core
  std::vector<int> peer_cpus;  ///< its peer process's affinity (S9)
  /// Some io step has an `answer`: the job has a peer process (S9). Set by plan_jobs(), so a
  /// run asks it once a job, where it looked over every step (lesson 15's 320,000 a run).
  bool answered = false;
};

using JobPlan = std::vector<PlannedJob>;

/// PlannedStep::run of each of `steps`, from the steps' kinds and targets.
void count_runs(std::vector<PlannedStep>& steps);

/// Templates in file order, then jobs 1..count, then steps: each duration drawn in that
/// order from one generator seeded with scenario.seed.
JobPlan plan_jobs(const Scenario& scenario);

/// Each template's step labels, in file order. A repeat block is unrolled into its steps, so a
/// template has few distinct steps and many copies: each distinct label is formatted and kept
/// once. They are the same for every run of the scenario: made once, shared by the runs' traces.
std::vector<trace::StepLabels> label_steps(const Scenario& scenario);

/// Whether `a` and `b` give the same plan_jobs and label_steps: the same seed, jobs, and lock
/// and counter names (the labels name them). A knob change that leaves those (cores, switch
/// interval, workers) keeps the plan, its labels and its durations.
bool same_plan(const Scenario& a, const Scenario& b);

/// What the traces of a scenario's runs share, made once: each template's step labels
/// (label_steps) and each planned job's drawn durations.
struct TraceJobs {
  TraceJobs(const Scenario& scenario, const JobPlan& plan);
  std::vector<trace::StepLabels> labels;                           ///< per template
  std::vector<std::shared_ptr<const std::vector<Time>>> durations;  ///< per job of the plan
};

enum class WithDurations : bool { No, Yes };

/// Registers the scenario's templates and the plan's jobs (with their drawn durations, unless
/// the producer did not use them) in a trace, so job i of the plan is job i of the trace.
/// `shared` is TraceJobs of this scenario and plan.
void register_jobs(const Scenario& scenario, const JobPlan& plan, const TraceJobs& shared,
                   trace::TraceBuilder& builder, WithDurations durations = WithDurations::Yes);
/// The same with what the traces share made for this trace alone.
void register_jobs(const Scenario& scenario, const JobPlan& plan, trace::TraceBuilder& builder,
                   WithDurations durations = WithDurations::Yes);

}  // namespace gilsim::scenario

// Scenarios built in code and the invariants every measured trace must satisfy.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/real/busy_loop.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace.hpp"
#include "tests/time_printing.hpp"  // a failed check prints the times it compared

namespace gilsim::real::testing {

/// A job template of `count` jobs with the given steps.
scenario::JobTemplate make_job(std::string name, int count, std::vector<scenario::Step> steps);
scenario::Step cpu(Time t);
scenario::Step native(Time t);
scenario::Step io(Time t);
scenario::Step sleep(Time t);
scenario::Step block(Time t);
scenario::Step offload(scenario::StepKind work, Time t);

scenario::Scenario make_scenario(std::vector<scenario::JobTemplate> jobs, int cores = 2);
scenario::Run make_run(scenario::Executor e, std::string name = "run");

/// Checks (with doctest) what every measured trace must satisfy: trace::check_invariants,
/// and also: at most one GIL holder per process at any instant; every Running or Pickling
/// span inside one Held span of its own thread; every job started and finished exactly once,
/// on a lane, before the trace's end.
void check_invariants(const trace::Trace& t);

/// Lanes of `kind` in `t`.
std::vector<const trace::Lane*> lanes_of(const trace::Trace& t, trace::LaneKind kind);
/// Total time of spans in `state` over the lanes of `kind`.
Time time_in(const trace::Trace& t, trace::LaneKind kind, trace::SpanState state);
int count_marks(const trace::Trace& t, trace::MarkKind kind);

/// Time during which both lanes have a span.
Time overlap(const trace::Lane& a, const trace::Lane& b);
/// The most lanes of `kind` in `state` at one instant: how many jobs' waits overlapped,
/// whatever the machine's pace (a wall-time bound would say it only on an idle machine).
int most_at_once(const trace::Trace& t, trace::LaneKind kind, trace::SpanState state);
/// How many cores' worth of CPU two busy threads get from this machine right now (1..2),
/// for tests that compare parallel runs on a machine other programs share.
double measure_parallelism();

/// The busy loop's pace around the real runs a test makes while it lives, so that the test
/// can bound their CPU work whatever the machine's pace: measured as it is made and pinned
/// for those runs (their CPU steps all do the iterations of that pace), measured again when
/// first asked after them. The pace drifts, by up to a fifth either way within a few tens
/// of milliseconds here (docs/performance.md, "The busy loop's pace"), and a shared host's
/// moved 2x between a calibration and the run (a CPython run did 60 ms of calibrated work
/// in 29.3 ms): work timed at one pace may run faster, which a bound taken from its nominal
/// time alone would call a bug.
class Pace {
 public:
  Pace();
  Pace(const Pace&) = delete;
  Pace& operator=(const Pace&) = delete;

  /// The least time `work` of CPU steps can take in the runs (the busy loop's CPU time, so
  /// also the least wall time of their spans): a quarter of their iterations at the fastest
  /// pace measured around the runs, as generous as the CPython runs' bounds, since the pace
  /// can double for a moment that neither measurement sees (still far above work skipped or
  /// CPU not counted). Re-measures the pace first, once: call it after the runs.
  Time least(Time work) const;
  /// The figures, for a failure message: the pace before and after, the load average.
  std::string figures() const;

  double before() const { return before_; }
  double after() const;

 private:
  double before_;
  real::PinnedCalibration pin_;
  mutable std::optional<double> after_;
  mutable double load_average_ = 0;
};

/// The first CPU this process may run on (its affinity mask).
int first_allowed_cpu();

/// Child processes of this process (zombies included), from /proc.
std::vector<int> child_pids_of_this_process();
std::vector<int> child_pids_of(int parent);
int children_of_this_process();
/// Waits until this process has at least `count` children (a run's workers started), at
/// most a minute, however slow the machine: true once they are there.
bool wait_for_children(int count);

}  // namespace gilsim::real::testing

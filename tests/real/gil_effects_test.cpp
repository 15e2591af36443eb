// Classroom effects of the GIL, for real: the convoy (bpo-7946) and C code that releases
// the GIL. Asserted on the trace's structure, which other programs' load cannot change.
#include <doctest/doctest.h>

#include <algorithm>

#include "real_test_support.hpp"
#include "tests/lane_lookup.hpp"
#include "sim/real/execute.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::real::testing;
using test::lane_named;
using scenario::Executor;
using trace::LaneKind;
using trace::SpanState;

namespace {
Time time_in_lane(const trace::Lane& lane, SpanState state) {
  Time total;
  for (const auto& span : lane.spans) {
    if (span.state == state) total += span.duration();
  }
  return total;
}
}  // namespace

TEST_CASE("convoy: next to a CPU-bound thread, each return from I/O costs a switch interval") {
  // The echo job alone needs about 10 x 1.1 ms; next to the hog it must win the GIL back
  // after every I/O call, which takes a drop request, i.e. a whole switch interval (G2).
  // The hog is started first: start() waits for each new thread (T1a), so an echo started
  // first would do its first returns alone while the hog starts (on a loaded machine, most).
  // The hog outlasts the echo's ten returns with room: on a loaded machine (load 3.5) each
  // return also waited for a CPU, and only 4 of them came before a 150 ms hog ended.
  auto s = make_scenario({make_job("hog", 1, {cpu(400_ms)}), make_job("echo", 1, {})});
  for (int i = 0; i < 10; ++i) {
    s.jobs[1].steps.push_back(io(1_ms));
    s.jobs[1].steps.push_back(cpu(100_us));
  }
  s.python.switch_interval = 5_ms;
  const auto t = real::execute(s, make_run(Executor::Threads));
  check_invariants(t);
  const auto& echo_job = t.jobs[1];
  const auto& echo = t.lanes[echo_job.lane];
  // At least the first few returns waited out an interval while the hog still ran.
  CHECK(time_in_lane(echo, SpanState::WaitingGil) >= 5 * 5_ms);
  CHECK(echo_job.end - echo_job.begin >= 5 * 5_ms);
  int echo_requests = 0;
  for (const auto& m : t.marks) {
    if (m.kind == trace::MarkKind::DropRequest && m.lane == echo_job.lane) ++echo_requests;
  }
  CHECK(echo_requests >= 5);
}

TEST_CASE("native code releases the GIL, so two threads run it at the same time") {
  auto s = make_scenario({make_job("hash", 2, {native(80_ms)})});
  const double before = measure_parallelism();
  const Pace pace;
  const auto t = real::execute(s, make_run(Executor::Threads));
  const Time least_call = pace.least(80_ms);  // re-measures the pace now, just after the run
  INFO(pace.figures());
  const double after = measure_parallelism();
  check_invariants(t);
  const auto& t1 = lane_named(t, "T1");
  const auto& t2 = lane_named(t, "T2");
  CHECK(time_in_lane(t1, SpanState::Native) >= least_call);
  CHECK(t.cpu_check.got >= 2 * least_call);
  // Structure, whatever the load: the second thread enters its native call while the first
  // is still inside its own, since neither holds the GIL there.
  CHECK(overlap(t1, t2) > Time{0});
  MESSAGE("the two native calls overlapped " << overlap(t1, t2).ms() << " ms; the machine gave " << before
                                             << " then " << after << " cores' worth");
  // For most of the call only when the machine gave two cores meanwhile (probed before and
  // after, and by the run's own evidence over its own window, which a load that comes and
  // goes between the probes does not escape): with other programs on the cores, the second
  // thread may wait tens of milliseconds for one to start. Half the shorter call as the
  // calls were measured, not a fixed 40 ms: at twice the calibrated pace each call took 40.
  const Time shorter = min(time_in_lane(t1, SpanState::Native), time_in_lane(t2, SpanState::Native));
  if (std::min(before, after) >= 1.6 && !t.cpu_check.short_of_cpu() && !t.cpu_check.others_busy()) {
    CHECK(overlap(t1, t2) * 2 >= shorter);
  } else {
    MESSAGE("other programs kept the cores busy: how long the calls overlapped not compared this time");
  }
}

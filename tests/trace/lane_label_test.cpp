// A row's label names the job its lane ran, only where that lane ran it.
#include <doctest/doctest.h>

#include "sim/trace/lane_label.hpp"
#include "sim/trace/trace_builder.hpp"

using namespace gilsim;
using namespace gilsim::literals;
using namespace gilsim::trace;

TEST_CASE("a pool's handler threads, which pickle a job's messages, are not labelled with the job a worker ran") {
  // A one-job pool read "task handler a" and "result handler a" beside "worker 1 a".
  TraceBuilder b("r", "process_pool", "new", Origin::Simulated, 2, 5_ms);
  b.add_cores(2);
  const auto parent = b.add_process("main", true);
  const auto child = b.add_process("worker 1", true);
  const LaneId tasks = b.add_lane("task handler", LaneKind::Thread, parent);
  const LaneId results = b.add_lane("result handler", LaneKind::Thread, parent);
  const LaneId worker = b.add_lane("worker 1", LaneKind::Thread, child);
  const auto a = b.add_job("a", b.add_template("a", StepLabels{"cpu 1 ms"}));
  b.set_state(tasks, 0_ms, SpanState::Pickling, a);  // the job's arguments, pickled
  b.clear_state(tasks, 1_ms);
  b.job_started(a, worker, 1_ms);
  b.set_state(worker, 1_ms, SpanState::Running, a, 0);
  b.clear_state(worker, 2_ms);
  b.job_finished(a, 2_ms);
  b.set_state(results, 2_ms, SpanState::Pickling, a);  // its result, unpickled
  b.clear_state(results, 3_ms);
  const Trace t = b.finish(3_ms);
  CHECK(lane_label(t, tasks, one_job(t, tasks)) == "task handler");
  CHECK(lane_label(t, results, one_job(t, results)) == "result handler");
  CHECK(lane_label(t, worker, one_job(t, worker)) == "worker 1 a");
}

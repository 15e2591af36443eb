// What lessons 9 and 17 say of the GIL held column holds in their runs: a process pool's
// figure is its busiest GIL's (trace::Metrics::gil_held), a worker's in lesson 9 and the
// parent's in lesson 17.
#include <doctest/doctest.h>

#include <filesystem>

#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/trace/metrics.hpp"

namespace fs = std::filesystem;
using namespace gilsim;

namespace {

scenario::Scenario lesson(const char* file) {
  return scenario::load_file(fs::path(GILSIM_SOURCE_DIR) / "scenarios" / file);
}

/// The process whose GIL lane is `lane`.
std::string process_of_gil(const trace::Trace& t, trace::LaneId lane) {
  for (const trace::Process& p : t.processes) {
    if (p.gil_lane == lane) return p.name;
  }
  return "none";
}

}  // namespace

TEST_CASE("lesson 9: every pool's busiest GIL is a worker's, and its figure is far above the mean over the GILs") {
  const scenario::Scenario s = lesson("09-pool-sizing.toml");
  for (const scenario::Run& run : s.runs) {
    CAPTURE(run.name);
    const trace::Trace t = model::simulate(s, run);
    const trace::Metrics m = trace::compute_metrics(t);
    REQUIRE(m.gil_lanes > 2);  // the parent and its workers, a GIL each
    CHECK(process_of_gil(t, m.gil_held_lane) != t.processes.front().name);
    Time held_by_all;
    for (const trace::Process& p : t.processes) {
      t.lanes[p.gil_lane].spans.for_each([&](const trace::Span& span) {
        if (span.state == trace::SpanState::Held) held_by_all += trace::clipped_duration(span, t.end);
      });
    }
    const double mean = static_cast<double>(held_by_all.ns()) / static_cast<double>(t.end.ns() * m.gil_lanes);
    CHECK(m.gil_held > mean);
    CHECK(m.gil_held > 0.9);  // a worker computes, its core shared or not, nearly all the run
  }
}

TEST_CASE("lesson 17: the pool's busiest GIL is the parent's, which unpickles every result") {
  const scenario::Scenario s = lesson("17-big-results.toml");
  int pools = 0;
  for (const scenario::Run& run : s.runs) {
    if (run.executor != scenario::Executor::ProcessPool) continue;
    ++pools;
    const trace::Trace t = model::simulate(s, run);
    const trace::Metrics m = trace::compute_metrics(t);
    CHECK(m.gil_lanes == 5);
    CHECK(t.processes.front().name == "main");
    CHECK(m.gil_held_lane == t.processes.front().gil_lane);
  }
  CHECK(pools == 1);
}

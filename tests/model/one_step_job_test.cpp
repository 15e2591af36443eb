// A job of one step of Python runs its compute in the program that awaits it, with no
// coroutine of its own (run_job()'s JobRun): its start and end are marked at the compute's
// start and end, whether the compute runs through at once or is cut and resumed by events.
#include <doctest/doctest.h>

#include "model_fixtures.hpp"
#include "sim/model/simulate.hpp"

using namespace gilsim;
using namespace gilsim::test;
using scenario::Executor;

namespace {

/// Each job's begin and end, and its JobStart and JobEnd marks at the same instants.
void check_jobs(const trace::Trace& t, const std::vector<std::pair<Time, Time>>& expected) {
  REQUIRE(t.jobs.size() == expected.size());
  const auto starts = marks_of(t, trace::MarkKind::JobStart);
  const auto ends = marks_of(t, trace::MarkKind::JobEnd);
  REQUIRE(starts.size() == expected.size());
  REQUIRE(ends.size() == expected.size());
  for (std::size_t j = 0; j < expected.size(); ++j) {
    CAPTURE(j);
    CHECK(t.jobs[j].begin == expected[j].first);
    CHECK(t.jobs[j].end == expected[j].second);
    CHECK(starts[j]->at == expected[j].first);
    CHECK(starts[j]->other == j);
    CHECK(ends[j]->at == expected[j].second);
    CHECK(ends[j]->other == j);
  }
}

}  // namespace

TEST_CASE("one-step jobs run one after another run through: each marked from its compute's start to its end") {
  auto s = exact_scenario(1);
  add_jobs(s, "tiny", 3, {cpu(10_us)});
  check_jobs(simulate_with(s, Executor::Sequential), {{0_us, 10_us}, {10_us, 20_us}, {20_us, 30_us}});
}

TEST_CASE("one-step jobs cut by forced switches are marked at their computes' resumed ends") {
  // Two threads of 12 us of Python, a 5 us switch interval (G2), two cores, no costs: T1 runs
  // 0-5, 10-15 and 20-22 us, T2 5-10, 15-20 and 22-24 us, each forced out by the other's drop
  // request; each job's compute is cut twice and ends in a later event. T2's job starts when
  // its thread first has the GIL, at 5 us.
  auto s = exact_scenario(2);
  s.python.switch_interval = 5_us;
  add_jobs(s, "tiny", 2, {cpu(12_us)});
  const trace::Trace t = simulate_with(s, Executor::Threads);
  check_jobs(t, {{0_us, 22_us}, {5_us, 24_us}});
  check_holders(holders(t, "GIL"), {{0_us, 5_us, "T1"},
                                    {5_us, 10_us, "T2"},
                                    {10_us, 15_us, "T1"},
                                    {15_us, 20_us, "T2"},
                                    {20_us, 22_us, "T1"},
                                    {22_us, 24_us, "T2"}});
}

// A CPython run whose lanes are empty for most of its time (a pool's pickles and pipes, which
// the recorder does not trace) says so on the timeline and under the Numbers table, in the
// command line's words (cpython::outside_jobs_note): empty lanes there are not idle ones.
#include <doctest/doctest.h>

#include <string>

#include "headless_viewer.hpp"
#include "sim/cpython/cpython_trace.hpp"
#include "viz/measuring.hpp"
#include "viz/run_caveats.hpp"

using namespace gilsim;
using namespace gilsim::viz;
using gilsim::viz::testing::HeadlessViewer;

TEST_CASE("the stretches with no job running: before, between and after the jobs") {
  trace::Trace t;
  t.end = Time{100};
  t.jobs.resize(3);
  t.jobs[0].begin = Time{10}, t.jobs[0].end = Time{30};
  t.jobs[1].begin = Time{20}, t.jobs[1].end = Time{40};
  t.jobs[2].begin = Time{60}, t.jobs[2].end = Time{70};
  const auto s = no_job_stretches(t);
  REQUIRE(s.size() == 3);
  CHECK(s[0] == std::pair{Time{0}, Time{10}});
  CHECK(s[1] == std::pair{Time{40}, Time{60}});
  CHECK(s[2] == std::pair{Time{70}, Time{100}});
  Time sum = Time::zero();
  for (const auto& [a, b] : s) sum += b - a;
  CHECK(sum == cpython::outside_jobs(t));  // what the command line's sentence adds up
}

TEST_CASE("a CPython pool run that spent most of its time with no job running: shaded, said, explained") {
  HeadlessViewer v(ImVec2(1280, 720));
  REQUIRE(v.open(gilsim::viz::testing::bundled_lesson("17-big-results.toml")));
  const auto& runs = v.app.session.runs();
  std::uint32_t pool = 0;
  while (pool < runs.size() && runs[pool].run_name != "pool of 4") ++pool;
  REQUIRE(pool < runs.size());
  trace::Trace m = runs[pool];
  m.origin = trace::Origin::Measured;
  m.measured_by = "CPython 3.11";
  m.end = m.end * 8;  // the jobs' lanes end early; the run's results crossed the pipes after them
  const auto expected = cpython::outside_jobs_note(m, Time{2'000'000'000});
  REQUIRE(expected);
  v.app.session.add_measured(std::move(m));
  refresh_derived(v.app);
  RealOutcome outcome;
  outcome.run_name = "pool of 4";
  outcome.cpu = Time{2'000'000'000};
  v.app.measuring.outcomes.push_back(outcome);
  for (int i = 0; i < 4; ++i) v.frame(0);
  const auto r = static_cast<std::uint32_t>(v.app.session.runs().size() - 1);
  // The command line's sentence, from the same function, with the recording's CPU.
  REQUIRE(unrecorded_time(v.app, r));
  CHECK(*unrecorded_time(v.app, r) == *expected);
  CHECK_FALSE(unrecorded_time(v.app, pool));  // a simulated run has nothing unrecorded
  // Shaded over the run's rows up to the right edge, with words in it.
  const TimelineFrame& t = v.app.timeline;
  REQUIRE_FALSE(t.unrecorded.empty());
  REQUIRE_FALSE(t.unrecorded_labels.empty());
  CHECK(t.unrecorded_labels.front().find("no job running") != std::string::npos);
}

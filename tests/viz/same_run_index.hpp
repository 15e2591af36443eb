// One check for two tests that index the same runs two ways (whole, or run by run as they
// end) and must get the same indices; and one for the knob tests whose runs, partly kept,
// must be those of the same knobs simulated whole.
#pragma once

#include <doctest/doctest.h>

#include <cstddef>
#include <filesystem>

#include "tests/same_runs.hpp"
#include "viz/app_state.hpp"
#include "viz/session.hpp"

namespace gilsim::viz::testing {

/// Every field a viewer reads from a run's index is the same in `a` and `b`.
inline void check_same_run_index(const RunIndex& a, const RunIndex& b) {
  CHECK(a.predicted_by == b.predicted_by);
  CHECK(a.metrics.makespan == b.metrics.makespan);
  CHECK(a.metrics.gil_switches == b.metrics.gil_switches);
  CHECK(a.identity == b.identity);
  CHECK(a.lane_labels == b.lane_labels);
  CHECK(a.glyph_marks == b.glyph_marks);
  CHECK(a.job_end_marks == b.job_end_marks);
  CHECK(a.covered_prefix == b.covered_prefix);
  CHECK(a.races_lost == b.races_lost);
  CHECK(a.interest == b.interest);
  CHECK(a.outcomes == b.outcomes);
  CHECK(a.states_seen == b.states_seen);
  CHECK(a.marks_seen == b.marks_seen);
  CHECK(a.groups.size() == b.groups.size());
  CHECK(a.handoffs.size() == b.handoffs.size());
  REQUIRE(a.contention.size() == b.contention.size());
  for (std::size_t p = 0; p < a.contention.size(); ++p) {
    CHECK(a.contention[p].spans.size() == b.contention[p].spans.size());
    CHECK(a.contention[p].most_waiters == b.contention[p].most_waiters);
  }
}

/// The runs and indices of `app` are those of `knobs` on `file` simulated whole, on this thread.
inline void check_same_as_simulated_whole(AppState& app, const std::filesystem::path& file, const Knobs& knobs) {
  Session whole;
  REQUIRE(whole.open(file));
  REQUIRE(whole.set_knobs(knobs));
  CHECK(whole.last_reused_runs() == 0u);
  CHECK(gilsim::test::first_difference(app.session.runs(), whole.runs()) == "");
  const DerivedRuns expected = derive_runs(whole.runs());
  REQUIRE(app.runs.size() == expected.runs.size());
  for (std::size_t r = 0; r < expected.runs.size(); ++r) {
    CAPTURE(r);
    check_same_run_index(app.runs[r], expected.runs[r]);
  }
  CHECK(app.states_seen == expected.states_seen);
  CHECK(app.marks_seen == expected.marks_seen);
}

}  // namespace gilsim::viz::testing

// A run watched at every event, for the tests of events run at once (event_at_once_test.cpp,
// drop_section_at_once_test.cpp): an event run where the event before it ends must meet the
// run's limit of events first, as the loop would.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <mutex>
#include <vector>

#include "sim/model/simulate.hpp"
#include "tests/same_runs.hpp"

namespace gilsim::test {

/// Simulates `s` watched at every event (the engine's limit of events one past the events so
/// far, so that each event run at once meets the limit first), checks that it is the run
/// unwatched, and gives the instants its answers stopped at (each run's clock at a check).
inline std::vector<Time> instants_watched_at_every_event(const scenario::Scenario& s) {
  const std::vector<trace::Trace> unwatched{model::simulate(s, s.runs[0])};
  std::mutex answers_mutex;
  std::vector<Time> stopped_at;
  model::Progress* asking = nullptr;
  model::Progress progress(1, [&](std::size_t, const trace::Trace& answer) {
    if (!answer.partial()) return;
    const std::lock_guard lock(answers_mutex);
    stopped_at.push_back(answer.end);
    asking->ask();
  });
  asking = &progress;
  progress.ask();
  const std::vector<trace::Trace> watched = model::simulate_all(s, 1, nullptr, &progress);
  CHECK(first_difference(watched, unwatched) == "");
  return stopped_at;
}

inline bool contains(const std::vector<Time>& instants, Time at) {
  return std::find(instants.begin(), instants.end(), at) != instants.end();
}

}  // namespace gilsim::test

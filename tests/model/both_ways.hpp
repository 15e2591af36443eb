// A scenario's runs simulated both ways the engine can take a stretch of steps (docs/model.md
// U4): as simulate() makes them, in one piece where nothing can come between the steps, and
// the long way, one compute at a time, which a check at every event forces (it leaves a
// stretch no event to spare). Checks that both ways gave the same runs.
#pragma once

#include <doctest/doctest.h>

#include <vector>

#include "sim/model/simulate.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace.hpp"
#include "tests/same_runs.hpp"

namespace gilsim::test {

struct BothWays {
  std::vector<trace::Trace> at_once;
  std::vector<trace::Trace> long_way;
};

inline BothWays simulate_both_ways(const scenario::Scenario& s) {
  BothWays out;
  for (const scenario::Run& run : s.runs) out.at_once.push_back(model::simulate(s, run));
  model::Progress every_event(1);  // never asked: no answers, only the limit moved by one event
  out.long_way = model::simulate_all(s, 1, nullptr, &every_event);
  CHECK(first_difference(out.at_once, out.long_way) == "");
  return out;
}

}  // namespace gilsim::test

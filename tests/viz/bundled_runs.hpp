// The runs the viewer's comparisons read: every run of every bundled scenario, then
// many_waiters(), a run of 200 CPU threads on 3 cores with 1 ms turns (the headline's shape, small).
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "fake_runs.hpp"
#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"

namespace gilsim::viz::testing {

/// Calls `check(run)` for each of those runs, its scenario's file name captured for failures.
template <class Check>
void for_each_bundled_run_and_many_threads(Check&& check) {
  for (const std::filesystem::path& file : scenario::bundled_scenarios()) {
    const std::string name = file.filename().string();
    CAPTURE(name);
    const scenario::Scenario s = scenario::load_file(file);
    for (const scenario::Run& run : s.runs) check(model::simulate(s, run));
  }
  check(many_waiters());  // many threads waiting at once, the OS picking among them
}

}  // namespace gilsim::viz::testing

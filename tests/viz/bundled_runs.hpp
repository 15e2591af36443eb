// The runs the viewer's comparisons read: every run of every bundled scenario, then a run of
// 300 CPU threads on 2 cores with 1 ms turns (the headline's shape, small).
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "sim/model/simulate.hpp"
#include "sim/scenario/loader.hpp"

namespace gilsim::viz::testing {

/// Calls `check(run)` for each of those runs, its scenario's file name captured for failures.
template <class Check>
void for_each_bundled_run_and_many_threads(Check&& check) {
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(GILSIM_SOURCE_DIR) / "scenarios")) {
    if (entry.path().extension() != ".toml") continue;
    const std::string name = entry.path().filename().string();
    CAPTURE(name);
    const scenario::Scenario s = scenario::load_file(entry.path());
    for (const scenario::Run& run : s.runs) check(model::simulate(s, run));
  }
  const scenario::Scenario many = scenario::load_string(R"(
title = "many threads"
[machine]
cores = 2
[python]
switch_interval = "1ms"
[[job]]
name = "crunch"
count = 300
steps = [ { cpu = "20ms" }, { io = "300us" }, { cpu = "10ms" } ]
[[run]]
name = "threads"
executor = "threads"
)", "many.toml");
  check(model::simulate(many, many.runs[0]));
}

}  // namespace gilsim::viz::testing

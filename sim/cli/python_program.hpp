// A scenario's runs written as a runnable Python 3 program (`gilsim python`), and the
// "run NAME: X.XXX s" lines it prints, read back for `gilsim run --cpython`.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace gilsim::cli {

/// The whole program: calibration, one function per job template, one per executor used,
/// and a main() that times each of `runs` (all of the scenario's when empty) in order.
/// `command` is shown in the header as the command that made it.
std::string python_program(const scenario::Scenario& s, const std::vector<const scenario::Run*>& runs,
                           std::string_view command);

/// Seconds per run name from the program's output; skipped runs and other lines are ignored.
std::map<std::string, double> parse_run_timings(std::string_view output);

}  // namespace gilsim::cli

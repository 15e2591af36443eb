// `gilsim python FILE`: print a scenario's runs as a Python program; and
// `gilsim run FILE --cpython`: run that program with python3 beside the model's prediction.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "sim/cli/run_command.hpp"

namespace gilsim::cli {

struct PythonOptions {
  std::string file;                    ///< empty: the built-in default scenario
  std::vector<std::string> overrides;  ///< --set key=value, in order
  std::vector<std::string> run_names;  ///< --run NAME; empty: every run
};

/// Prints the program. Throws scenario::ScenarioError or UsageError on bad input.
int print_python_program(const PythonOptions& options, std::ostream& out);

/// `gilsim run --cpython`: for each scenario, simulates its twin on this machine's core
/// count, runs the generated program with python3, and prints model, CPython and error
/// side by side. Throws std::runtime_error when python3 is missing or fails.
int run_against_cpython(const RunOptions& options, std::ostream& out);

/// The first executable `program` in the folders of $PATH, or empty.
std::string find_on_path(const std::string& program);

}  // namespace gilsim::cli

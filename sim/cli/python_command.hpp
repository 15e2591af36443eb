// `gilsim python FILE`: print a scenario's runs as the short Python program a class reads.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace gilsim::cli {

struct PythonOptions {
  std::string file;                    ///< empty: the built-in default scenario
  std::vector<std::string> overrides;  ///< --set key=value, in order
  std::vector<std::string> run_names;  ///< --run NAME; empty: every run
};

/// Prints the program. Throws scenario::ScenarioError or UsageError on bad input.
int print_python_program(const PythonOptions& options, std::ostream& out);

}  // namespace gilsim::cli

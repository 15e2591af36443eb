// Choosing which runs of a scenario to show (`--run NAME`), and the error for a name
// that matches none.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace gilsim::cli {

/// Bad input that is not in a scenario file (an unknown --run name): exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Ctrl-C stopped the command: exit code 130, the shell's for SIGINT.
class Interrupted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The runs of `s` named in `names` (all when empty), in file order. Throws UsageError
/// naming the runs that exist when a name matches none.
std::vector<const scenario::Run*> select_runs(const scenario::Scenario& s, const std::vector<std::string>& names);

}  // namespace gilsim::cli

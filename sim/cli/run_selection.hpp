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

/// What a --set changed that `run`'s name states, in words for the run's label (Trace::in_force):
/// "2 workers" when the name holds the pool size the file gave it ("pool of 4", "Pool(8)") and
/// another is in force; "8 threads" when a threads run's name holds its thread count (one
/// thread a job: "4 threads") and another is in force; empty otherwise. `written`: the file
/// as it is; `in_force`: with the --set values (and fitted to the machine).
std::string value_in_force(const scenario::Scenario& written, const scenario::Scenario& in_force,
                           const scenario::Run& run);

}  // namespace gilsim::cli

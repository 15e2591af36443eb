// --run NAME: runs chosen by name, in file order.
#include "sim/cli/run_selection.hpp"

#include <algorithm>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace gilsim::cli {

std::vector<const scenario::Run*> select_runs(const scenario::Scenario& s, const std::vector<std::string>& names) {
  for (const auto& name : names) {
    const bool known = std::any_of(s.runs.begin(), s.runs.end(), [&](const auto& r) { return r.name == name; });
    if (known) continue;
    std::vector<std::string> quoted;
    for (const auto& r : s.runs) quoted.push_back(fmt::format("'{}'", r.name));
    throw UsageError(fmt::format("{}: no run named '{}'; its runs are {}", s.source, name, fmt::join(quoted, ", ")));
  }
  std::vector<const scenario::Run*> chosen;
  for (const auto& r : s.runs) {
    if (names.empty() || std::find(names.begin(), names.end(), r.name) != names.end()) chosen.push_back(&r);
  }
  return chosen;
}

}  // namespace gilsim::cli

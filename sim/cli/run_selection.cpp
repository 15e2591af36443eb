// --run NAME: runs chosen by name, in file order.
#include "sim/cli/run_selection.hpp"

#include <algorithm>
#include <cctype>
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

namespace {

/// Whether `name` holds `n` as a number of its own ("pool of 4", "Pool(4)"; not "40 jobs").
bool states_number(const std::string& name, int n) {
  const std::string digits = std::to_string(n);
  for (std::size_t at = name.find(digits); at != std::string::npos; at = name.find(digits, at + 1)) {
    const bool starts = at == 0 || std::isdigit(static_cast<unsigned char>(name[at - 1])) == 0;
    const std::size_t end = at + digits.size();
    const bool ends = end == name.size() || std::isdigit(static_cast<unsigned char>(name[end])) == 0;
    if (starts && ends) return true;
  }
  return false;
}

}  // namespace

std::string value_in_force(const scenario::Scenario& written, const scenario::Scenario& in_force,
                           const scenario::Run& run) {
  const auto as_written = std::find_if(written.runs.begin(), written.runs.end(),
                                       [&](const scenario::Run& r) { return r.name == run.name; });
  if (as_written == written.runs.end()) return {};
  using scenario::Executor;
  if (run.executor == Executor::ThreadPool || run.executor == Executor::ProcessPool ||
      run.executor == Executor::ProcessPoolExecutor) {
    const int was = scenario::effective_workers(written, *as_written);
    const int is = scenario::effective_workers(in_force, run);
    if (was != is && states_number(run.name, was)) return fmt::format("{} worker{}", is, is == 1 ? "" : "s");
  }
  if (run.executor == Executor::Threads) {  // one thread a job
    const int was = written.total_jobs();
    const int is = in_force.total_jobs();
    if (was != is && states_number(run.name, was)) return fmt::format("{} thread{}", is, is == 1 ? "" : "s");
  }
  return {};
}

}  // namespace gilsim::cli

// The value in force that a run's name states otherwise ("pool of 4 (2 workers)").
#include "sim/scenario/value_in_force.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include <fmt/format.h>

#include "sim/trace/outcomes.hpp"

namespace gilsim::scenario {

bool states_number(const std::string& name, std::int64_t n) {
  const std::string digits = std::to_string(n);
  for (std::size_t at = name.find(digits); at != std::string::npos; at = name.find(digits, at + 1)) {
    const bool starts = at == 0 || std::isdigit(static_cast<unsigned char>(name[at - 1])) == 0;
    const std::size_t end = at + digits.size();
    const bool ends = end == name.size() || std::isdigit(static_cast<unsigned char>(name[end])) == 0;
    if (starts && ends) return true;
  }
  return false;
}

std::string value_in_force(const Scenario& written, const Scenario& in_force, const Run& run) {
  const auto as_written =
      std::find_if(written.runs.begin(), written.runs.end(), [&](const Run& r) { return r.name == run.name; });
  if (as_written == written.runs.end()) return {};
  if (run.executor == Executor::ThreadPool || run.executor == Executor::ProcessPool ||
      run.executor == Executor::ProcessPoolExecutor) {
    const int was = effective_workers(written, *as_written);
    const int is = effective_workers(in_force, run);
    // "pool of 4 (now 2 workers)": the name's own number is out of date; "Pool() (3 workers)",
    // "process pool (2 workers)": a pool's size shows only in its folded worker rows otherwise.
    if (was != is) {
      return fmt::format("{}{} worker{}", states_number(run.name, was) ? "now " : "", trace::group_digits(is), is == 1 ? "" : "s");
    }
  }
  if (run.executor == Executor::Threads) {  // one thread a job, each on a row of its own
    const int was = written.total_jobs();
    const int is = in_force.total_jobs();
    if (was != is && states_number(run.name, was)) {
      return fmt::format("now {} thread{}", trace::group_digits(is), is == 1 ? "" : "s");
    }
  }
  return {};
}

}  // namespace gilsim::scenario

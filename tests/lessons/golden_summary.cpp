// Golden summaries: from simulated traces to text and back, and the differences between two.
#include "golden_summary.hpp"

#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/model/simulate.hpp"
#include "sim/trace/metrics.hpp"

namespace gilsim::lessons {

std::vector<GoldenRun> summarise(const scenario::Scenario& s) {
  std::vector<GoldenRun> runs;
  for (const auto& run : s.runs) {
    const trace::Trace t = model::simulate(s, run);
    const trace::Metrics m = trace::compute_metrics(t);
    runs.push_back({run.name,
                    {{"makespan_ns", m.makespan.ns()},
                     {"jobs_done", m.jobs_done},
                     {"gil_switches", m.gil_switches},
                     {"drop_requests", m.drop_requests},
                     {"forced_switches", m.forced_switches}}});
    // Scenarios with locks or counters also pin what they teach: the lock waits, each
    // counter's lost updates, and whether the run ended in a deadlock.
    if (s.locks.empty() && s.counters.empty()) continue;
    auto& fields = runs.back().fields;
    if (!s.locks.empty()) {
      fields.emplace_back("lock_wait_ns", m.lock_wait_total.ns());
      std::int64_t deadlocks = 0;
      for (const auto& mark : t.marks) deadlocks += mark.kind == trace::MarkKind::Deadlock ? 1 : 0;
      fields.emplace_back("deadlock_edges", deadlocks);
    }
    for (const auto& c : t.counters) fields.emplace_back(fmt::format("lost_{}", c.name), c.lost());
  }
  return runs;
}

std::string write_golden(const std::string& scenario_file_name, const std::vector<GoldenRun>& runs) {
  std::string text = fmt::format(
      "# {}: the simulated figures of each run, checked by tests/lessons.\n"
      "# Regenerate with scripts/update-golden.sh and read the diff before committing.\n",
      scenario_file_name);
  for (const auto& run : runs) {
    text += fmt::format("\n[{}]\n", run.run);
    for (const auto& [key, value] : run.fields) text += fmt::format("{} = {}\n", key, value);
  }
  return text;
}

std::vector<GoldenRun> read_golden(const std::string& text) {
  std::vector<GoldenRun> runs;
  std::istringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    if (line.front() == '[' && line.back() == ']') {
      runs.push_back({line.substr(1, line.size() - 2), {}});
      continue;
    }
    const auto equals = line.find(" = ");
    if (runs.empty() || equals == std::string::npos) {
      throw std::runtime_error(fmt::format("line {}: expected '[run name]' or 'key = value', got '{}'", number, line));
    }
    try {
      runs.back().fields.emplace_back(line.substr(0, equals), std::stoll(line.substr(equals + 3)));
    } catch (const std::logic_error&) {
      throw std::runtime_error(fmt::format("line {}: '{}' is not a whole number", number, line.substr(equals + 3)));
    }
  }
  return runs;
}

namespace {

const GoldenRun* find_run(const std::vector<GoldenRun>& runs, const std::string& name) {
  for (const auto& run : runs) {
    if (run.run == name) return &run;
  }
  return nullptr;
}

const std::int64_t* find_field(const GoldenRun& run, const std::string& key) {
  for (const auto& [name, value] : run.fields) {
    if (name == key) return &value;
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> compare_golden(const std::vector<GoldenRun>& expected, const std::vector<GoldenRun>& actual) {
  std::vector<std::string> differences;
  for (const auto& want : expected) {
    const GoldenRun* got = find_run(actual, want.run);
    if (got == nullptr) {
      differences.push_back(fmt::format("run '{}': expected, but the scenario has no such run", want.run));
      continue;
    }
    for (const auto& [key, value] : want.fields) {
      const std::int64_t* found = find_field(*got, key);
      if (found == nullptr) {
        differences.push_back(fmt::format("run '{}': {} expected {}, but it is not computed", want.run, key, value));
      } else if (*found != value) {
        differences.push_back(fmt::format("run '{}': {} expected {}, got {} ({:+})", want.run, key, value, *found,
                                          *found - value));
      }
    }
    for (const auto& [key, value] : got->fields) {
      if (find_field(want, key) == nullptr) {
        differences.push_back(fmt::format("run '{}': {} = {} is not in the golden file", want.run, key, value));
      }
    }
  }
  for (const auto& run : actual) {
    if (find_run(expected, run.run) == nullptr) {
      differences.push_back(fmt::format("run '{}': new in the scenario, not in the golden file", run.run));
    }
  }
  return differences;
}

}  // namespace gilsim::lessons

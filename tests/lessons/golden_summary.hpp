// A scenario's golden summary: the figures of each simulated run that a reviewed file in
// tests/golden/ pins down, written and read as "[run]" blocks of "key = value" lines.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace gilsim::lessons {

/// run name -> field -> value, fields in the order they are written.
struct GoldenRun {
  std::string run;
  std::vector<std::pair<std::string, std::int64_t>> fields;
};

/// Simulates every run of `s` and takes makespan_ns, jobs_done, gil_switches,
/// drop_requests and forced_switches from trace::compute_metrics.
std::vector<GoldenRun> summarise(const scenario::Scenario& s);

std::string write_golden(const std::string& scenario_file_name, const std::vector<GoldenRun>& runs);
/// Throws std::runtime_error naming the line for text that write_golden cannot have made.
std::vector<GoldenRun> read_golden(const std::string& text);

/// One line per difference: "run '4 threads': makespan_ns expected 1003000000, got 1002000000".
std::vector<std::string> compare_golden(const std::vector<GoldenRun>& expected, const std::vector<GoldenRun>& actual);

}  // namespace gilsim::lessons

// The classroom knobs of the scenario panel (cores, switch interval, workers, jobs) as the
// loader's overrides, and the time syntax shared by the command line and the panels.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "sim/scenario/loader.hpp"

namespace gilsim::viz {

/// Values the scenario panel's sliders override; unset means "as the file says".
struct Knobs {
  std::optional<int> cores;
  std::optional<Time> switch_interval;
  std::optional<int> workers;
  std::optional<int> jobs;
  std::vector<scenario::Override> more;  ///< other keys, such as a sweep point's (applied last)

  std::vector<scenario::Override> overrides() const;
  bool any() const { return cores || switch_interval || workers || jobs || !more.empty(); }
};

/// Parses a time as scenario files write one (value_syntax.hpp): "120ms", "1.5s", "250us",
/// "250µs", "800ns"; a bare number has no unit and is refused, as in a file.
std::optional<Time> parse_time(std::string_view text);

}  // namespace gilsim::viz

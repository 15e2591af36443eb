// Knobs as overrides, and parsing of typed times.
#include "viz/knobs.hpp"

#include <fmt/format.h>

#include "sim/scenario/value_syntax.hpp"

namespace gilsim::viz {

std::vector<scenario::Override> Knobs::overrides() const {
  std::vector<scenario::Override> out;
  if (cores) out.push_back({"cores", std::to_string(*cores)});
  if (switch_interval) out.push_back({"switch_interval", fmt::format("{}ns", switch_interval->ns())});
  if (workers) out.push_back({"workers", std::to_string(*workers)});
  if (jobs) out.push_back({"jobs", std::to_string(*jobs)});
  out.insert(out.end(), more.begin(), more.end());
  return out;
}

std::optional<Time> parse_time(std::string_view text) {
  // The scenario files' grammar, so a time typed anywhere reads the same.
  const scenario::Parsed<Time> parsed = scenario::parse_time(text);
  if (!parsed.ok()) return std::nullopt;
  return parsed.value;
}

}  // namespace gilsim::viz

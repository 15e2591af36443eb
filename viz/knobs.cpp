// Knobs as overrides, and parsing of typed times.
#include "viz/knobs.hpp"

#include <charconv>

#include <fmt/format.h>

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
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  double value = 0;
  const auto [rest, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || rest == text.data()) return std::nullopt;
  std::string_view unit(rest, static_cast<std::size_t>(text.data() + text.size() - rest));
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  double scale = 0;
  if (unit.empty() || unit == "s") scale = 1e9;
  else if (unit == "ms") scale = 1e6;
  else if (unit == "us") scale = 1e3;
  else if (unit == "ns") scale = 1;
  else return std::nullopt;
  if (value < 0) return std::nullopt;
  return Time{static_cast<std::int64_t>(value * scale + 0.5)};
}

}  // namespace gilsim::viz

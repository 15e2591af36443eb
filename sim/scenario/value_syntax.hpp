// The text forms inside scenario strings: durations ("100ms", "10ms..20ms", "exp(5ms)",
// "normal(10ms, 2ms)") and Python versions ("3.12", "3.13t").
#pragma once

#include <string>
#include <string_view>

#include "sim/scenario/scenario.hpp"

namespace gilsim::scenario {

/// No single duration in a scenario may exceed this (keeps sums of many steps in int64).
inline constexpr Time kMaxDuration = Time{3'600'000'000'000};  // one hour

/// A parsed value, or `error`: what is wrong and what was expected, without a location.
template <typename T>
struct Parsed {
  T value{};
  std::string error;
  bool ok() const { return error.empty(); }
};

/// `s` without the white space at its ends.
std::string_view trim(std::string_view s);

Parsed<Time> parse_time(std::string_view text);          ///< "1.5s", "250us", "0ns"
Parsed<Duration> parse_duration(std::string_view text);  ///< any of the four forms
/// "3.12", "3.13t" (free-threaded, 3.13 and later), "2.7"; a patch number is ignored.
Parsed<PythonVersion> parse_python_version(std::string_view text);

}  // namespace gilsim::scenario

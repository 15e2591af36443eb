// The grammar of `--vary KEY=VALUES`: a list (1,2,4,8), a range with a step (1..16,
// 0ms..90ms:10ms) or a log range (1ms..64ms*2), each value then checked as `--set` checks it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gilsim::sweep {

/// Values one `--vary` may give, and simulations one sweep may ask for.
inline constexpr std::size_t kMaxValuesPerKey = 10'000;

/// One `--vary`: keys that move together (joined with ';'), and their values as `--set`
/// value texts. The first key names the axis; `positions` place its values on a chart.
struct Axis {
  std::string option;                            ///< "--vary workers=1..16", for errors
  std::vector<std::string> keys;
  std::vector<std::vector<std::string>> values;  ///< values[k][i]: value i of keys[k]
  std::vector<double> positions;                 ///< of the first key's values; empty: not numbers
  bool log_scale = false;                        ///< the first key's values come from a log range
  bool durations = false;                        ///< positions are nanoseconds

  std::string name;                              ///< "waiting per request" from "NAME: KEY=VALUES"; may be empty

  std::size_t size() const { return values.empty() ? 0 : values.front().size(); }
  /// The name given, else "workers" or "job.1.steps.2.io (with job.1.steps.1.cpu)".
  std::string label() const;
  /// label() under a chart: "switch_interval (log scale)" where the values are spaced by
  /// their logarithm (1, 2, 4 ... 64 ms evenly), which a class would read as linear.
  std::string chart_label() const;
  /// Value i of key k as gilsim writes it elsewhere ("1.60 ms", "10 MB", "10,000"); the
  /// values themselves stay as --set takes them ("1600us"), for commands and files.
  std::string shown(std::size_t k, std::size_t i) const;
};

/// A `--set` value text as a person reads it: a duration as format_time writes it ("1.60 ms"),
/// a whole number of bytes (a key ending in "bytes") in B, kB, MB or GB ("10 MB"), another
/// whole number with thousands separators ("10,000"); anything else as it is.
std::string readable_value(std::string_view key, std::string_view text);

/// "100 B", "1.5 kB", "10 MB": decimal units, at most three significant digits.
std::string format_bytes(std::int64_t bytes);

/// Parses the text of one `--vary` (without the option name), with an optional name for the
/// chart's axis before a colon ("waiting per request: job.request.steps.2.io=0ms..90ms:10ms").
/// Throws scenario::ScenarioError located at the option ("--vary workers=1..16:0: the step is
/// zero; ...") for a bad list; the keys and values themselves are checked later, against the
/// scenario. `option` names the option in errors: "--vary", or gilviz's "--sweep".
Axis parse_axis(std::string_view text, std::string_view option = "--vary");

/// The first key of a `--vary` text, without the axis's name: "workers" of "pool: workers=1..4".
std::string axis_key(std::string_view text);

/// The values one VALUES text stands for, as `--set` value texts, and where they sit on a
/// chart. Throws std::invalid_argument with the message alone (no location).
struct ValueList {
  std::vector<std::string> texts;
  std::vector<double> positions;  ///< empty unless every value is a number or a duration
  bool log_scale = false;
  bool durations = false;
};
ValueList parse_values(std::string_view values);

/// A duration in nanoseconds as the largest whole unit that reads back exactly: "1500us".
std::string duration_text(std::int64_t ns);

}  // namespace gilsim::sweep

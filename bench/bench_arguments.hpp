// Arguments of the benchmark programs: a count is a whole number in its range, --help prints
// the usage and exits 0, and anything else is an error (exit 2), never a measurement.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

namespace gilsim::bench {

/// `text` as a whole number from `lo` to `hi`; nothing for "abc", "5x", "-1" or "--help".
inline std::optional<long> whole_number(const std::string& text, long lo, long hi) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 12) return std::nullopt;
  const long value = std::strtol(text.c_str(), nullptr, 10);
  if (value < lo || value > hi) return std::nullopt;
  return value;
}

/// For --help: the usage on stdout, exit 0.
[[noreturn]] inline void print_usage(const char* usage) {
  std::fputs(usage, stdout);
  std::exit(0);
}

/// "PROGRAM: MESSAGE", then the usage, on stderr; exit 2.
[[noreturn]] inline void refuse(const char* program, const std::string& message, const char* usage) {
  std::fprintf(stderr, "%s: %s\n%s", program, message.c_str(), usage);
  std::exit(2);
}

}  // namespace gilsim::bench

// Words a command does not take, said in the order given. CLI11 2.1 names them last first
// ("The following arguments were not expected: nosuch --run" for `gilviz 01 --run nosuch`).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "sim/scenario/loader.hpp"

namespace gilsim::cli {

/// For CLI::ExtrasError: "gilviz: --run is not an option of gilviz (given: --run nosuch); see
/// `gilviz --help`", or "'b.toml' was not expected". `parsed` is the app or subcommand that was
/// given them, `command` its name ("gilviz", "`gilsim sweep`"); `elsewhere` follows the option's
/// words (", but of `gilsim run`").
inline std::string unexpected_arguments(const CLI::App& parsed, std::string_view command, std::string_view program,
                                        std::string_view elsewhere, std::string_view help) {
  const std::vector<std::string> extras = parsed.remaining(true);
  if (extras.empty()) return fmt::format("{}: arguments not expected; see `{}`", program, help);
  std::string given;
  for (const std::string& word : extras) given += (given.empty() ? "" : " ") + scenario::printable(word);
  const std::string& first = extras.front();
  const std::string what =
      first.starts_with("-") && first.size() > 1
          ? fmt::format("{} is not an option of {}{}", scenario::printable(first.substr(0, first.find('='))), command,
                        elsewhere)
          : fmt::format("'{}' was not expected", scenario::printable(first));
  return fmt::format("{}: {} (given: {}); see `{}`", program, what, given, help);
}

}  // namespace gilsim::cli

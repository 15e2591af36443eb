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
/// `gilviz --help`", or "'b.toml' was not expected". `extras`: unexpected_words() of the app or
/// subcommand that was given them, `command` its name ("gilviz", "`gilsim sweep`"); `elsewhere`
/// follows the option's words (", but of `gilsim run`").
/// The words of `app` (or of `parent`, where CLI11 handed them back to it: a word after `--`)
/// that it did not take, in the order given, without the `--`.
inline std::vector<std::string> unexpected_words(const CLI::App& app, const CLI::App* parent = nullptr) {
  std::vector<std::string> words = app.remaining(true);
  if (words.empty() && parent != nullptr) words = parent->remaining(false);
  std::erase(words, std::string("--"));
  return words;
}

/// "--width" for "--width=80": the option a word names.
inline std::string option_named(const std::string& word) { return word.substr(0, word.find('=')); }

inline std::string unexpected_arguments(const std::vector<std::string>& extras, std::string_view command,
                                        std::string_view program, std::string_view elsewhere, std::string_view help) {
  if (extras.empty()) return fmt::format("{}: arguments not expected; see `{}`", program, help);
  std::string given;
  for (const std::string& word : extras) given += (given.empty() ? "" : " ") + scenario::printable(word);
  const std::string& first = extras.front();
  const std::string what =
      first.starts_with("-") && first.size() > 1
          ? fmt::format("{} is not an option of {}{}", scenario::printable(option_named(first)), command, elsewhere)
          : fmt::format("'{}' was not expected", scenario::printable(first));
  return fmt::format("{}: {} (given: {}); see `{}`", program, what, given, help);
}

}  // namespace gilsim::cli

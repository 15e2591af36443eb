#include "sim/scenario/bundled_names.hpp"

#include <string_view>

#include "sim/scenario/loader.hpp"

namespace gilsim::scenario {

namespace {

/// Whether a lesson's name starts with the number `argument` gives: "07-convoy" is
/// numbered "07" and "7", not "0" nor "70".
bool numbered_as(const std::string& stem, const std::string& argument) {
  const std::size_t digits = stem.find_first_not_of("0123456789");
  if (digits == 0 || digits == std::string::npos || stem[digits] != '-') return false;
  if (argument.empty() || argument.find_first_not_of("0123456789") != std::string::npos) return false;
  const auto significant = [](std::string_view number) {
    const std::size_t first = number.find_first_not_of('0');
    return first == std::string_view::npos ? std::string_view("0") : number.substr(first);
  };
  return significant(std::string_view(stem).substr(0, digits)) == significant(argument);
}

}  // namespace

std::string resolve_scenario_name(const std::string& argument, const std::vector<std::filesystem::path>& bundled) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (argument.empty() || fs::exists(argument, error)) return argument;
  if (fs::path(argument).has_parent_path()) return argument;  // a path: the user meant that file
  for (const fs::path& file : bundled) {
    if (file.filename() == argument || file.stem() == argument) return file.string();
  }
  const fs::path* only = nullptr;
  for (const fs::path& file : bundled) {
    if (!numbered_as(file.stem().string(), argument)) continue;
    if (only != nullptr) return argument;  // two lessons start so: neither is meant more than the other
    only = &file;
  }
  return only != nullptr ? only->string() : argument;
}

std::string resolve_scenario_name(const std::string& argument) {
  return resolve_scenario_name(argument, bundled_scenarios());
}

}  // namespace gilsim::scenario

// The `python` subcommand: the generated program for a scenario's runs.
#include "sim/cli/python_command.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "sim/cli/python_program.hpp"
#include "sim/cli/run_selection.hpp"
#include "sim/scenario/loader.hpp"

namespace gilsim::cli {

namespace {

std::vector<scenario::Override> parse_overrides(const std::vector<std::string>& texts) {
  std::vector<scenario::Override> overrides;
  for (const auto& text : texts) overrides.push_back(scenario::parse_override(text));
  return overrides;
}

scenario::Scenario load(const std::string& file, const std::vector<scenario::Override>& overrides) {
  return file.empty() ? scenario::load_default(overrides) : scenario::load_file(file, overrides);
}

std::string command_line(const std::string& file, const std::vector<std::string>& run_names) {
  std::string command = "gilsim python";
  if (!file.empty()) command += fmt::format(" {}", std::filesystem::path(file).filename().string());
  for (const auto& name : run_names) {
    command += name.find(' ') == std::string::npos ? fmt::format(" --run {}", name) : fmt::format(" --run '{}'", name);
  }
  return command;
}

}  // namespace

int print_python_program(const PythonOptions& options, std::ostream& out) {
  const auto s = load(options.file, parse_overrides(options.overrides));
  out << python_program(s, select_runs(s, options.run_names), command_line(options.file, options.run_names));
  return 0;
}

}  // namespace gilsim::cli

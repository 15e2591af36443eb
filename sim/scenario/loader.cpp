// The loader's entry points: read the text, parse the TOML, apply overrides, validate.
#include "sim/scenario/loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "sim/scenario/scenario_reader.hpp"

namespace gilsim::scenario {

namespace {

std::string located(const SourceLoc& where, const std::string& message) {
  if (where.line > 0) return fmt::format("{}:{}:{}: {}", where.file, where.line, where.column, message);
  if (!where.file.empty()) return fmt::format("{}: {}", where.file, message);
  return message;
}

}  // namespace

ScenarioError::ScenarioError(SourceLoc where, const std::string& message)
    : std::runtime_error(located(where, message)), where_(std::move(where)), message_(message) {}

Scenario load_string(std::string_view toml_text, std::string_view source_name,
                     const std::vector<Override>& overrides) {
  const std::string source(source_name);
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    const toml::source_position at = e.source().begin;
    throw ScenarioError(SourceLoc{source, static_cast<int>(at.line), static_cast<int>(at.column)},
                        fmt::format("invalid TOML: {}",
                                    e.description()));
  }
  OverrideTexts override_texts;
  apply_overrides(root, overrides, override_texts);
  return read_scenario(TomlReader(source, override_texts), root);
}

Scenario load_file(const std::filesystem::path& path, const std::vector<Override>& overrides) {
  const std::string name = path.string();
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw ScenarioError(SourceLoc{name, 0, 0}, "is a directory; expected a scenario file (.toml)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ScenarioError(SourceLoc{name, 0, 0},
                        fmt::format("cannot open the file ({}); expected a readable scenario file", std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ScenarioError(SourceLoc{name, 0, 0}, "cannot read the file; expected a readable scenario file");
  return load_string(text.str(), name, overrides);
}

Scenario load_default(const std::vector<Override>& overrides) {
  return load_string(embedded_default_text(), "<default>", overrides);
}

std::vector<std::filesystem::path> bundled_scenarios() {
  namespace fs = std::filesystem;
  std::error_code error;
  std::vector<fs::path> candidates{fs::path(GILSIM_SCENARIO_DIR)};
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    candidates.push_back(exe.parent_path() / "scenarios");
    candidates.push_back(exe.parent_path().parent_path() / "share" / "gilsim" / "scenarios");
  }
  for (const fs::path& dir : candidates) {
    if (!fs::is_directory(dir, error)) continue;
    std::vector<fs::path> files;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
      if (entry.is_regular_file(error) && entry.path().extension() == ".toml") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
  }
  return {};
}

}  // namespace gilsim::scenario

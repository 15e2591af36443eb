// A bundled lesson named the short way: `gilsim run 07-convoy` or `gilviz 7` from any folder.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace gilsim::scenario {

/// The file a scenario argument names. A path that exists, or one with a folder in it, is
/// taken as written. Otherwise a bundled file answers to its file name ("07-convoy.toml"),
/// its name without ".toml" ("07-convoy") or, when only one file is so numbered, its
/// number ("07" or "7"). An argument nothing answers to is returned as written, so that loading
/// it reports the file that cannot be opened.
std::string resolve_scenario_name(const std::string& argument, const std::vector<std::filesystem::path>& bundled);

/// The same, among bundled_scenarios().
std::string resolve_scenario_name(const std::string& argument);

}  // namespace gilsim::scenario

// `gilsim list`: the bundled scenarios and their titles.
#pragma once

#include <filesystem>
#include <ostream>
#include <vector>

namespace gilsim::cli {

/// Prints the built-in default, then each file with its title (or its error, if it does
/// not load). Returns 0.
int list_scenarios(const std::vector<std::filesystem::path>& files, std::ostream& out);

}  // namespace gilsim::cli
